namespace GeoGrains;

/// <summary>
/// What served a call to a geo grain, returned to callers that asked through a <see cref="GeoContext"/> scope: an app can
/// show how fresh an answer is, and a session carries on from what it has seen.
/// </summary>
/// <param name="ServedBy">The region whose activation ran the call.</param>
/// <param name="Owner">The region that owned the grain, as the serving region knew it.</param>
/// <param name="Forwarded">Whether the call was forwarded from the caller's region to <paramref name="ServedBy"/>.</param>
/// <param name="Version">The version of the grain's state the call saw (for a write, the version it committed).</param>
/// <param name="CommittedAt">When that version was committed in its owner region.</param>
/// <param name="Lag">
/// How far behind the owner the answer may be: zero when the owner served it; for a replica, the time since the owner's
/// stream last vouched for everything before it; <see langword="null"/> when the replica has no such word yet.
/// </param>
/// <param name="SessionToken">The caller's session token after this call (its input merged with what this call saw).</param>
/// <param name="ActiveActive">Whether the grain is active-active (every region writes its own copy; no single owner
/// applies an idempotency key once for all regions).</param>
[GenerateSerializer, Immutable]
public sealed record GeoCallInfo(
    [property: Id(0)] RegionId ServedBy,
    [property: Id(1)] RegionId Owner,
    [property: Id(2)] bool Forwarded,
    [property: Id(3)] long Version,
    [property: Id(4)] HybridTimestamp CommittedAt,
    [property: Id(5)] TimeSpan? Lag,
    [property: Id(6)] string SessionToken,
    [property: Id(7)] bool ActiveActive = false);
