namespace GeoGrains;

/// <summary>
/// A conflict an active-active geo grain had: two concurrent versions (neither had seen the other) and how the grain's
/// <see cref="ConflictPolicy"/> resolved them. Kept durably in the region that resolved it, once per conflict even when
/// a change is delivered again; published on that region's <see cref="ConflictStream"/>, listed per grain by
/// <see cref="IGeoAdminGrain.GetConflicts(GrainId)"/> and across grains by time by
/// <see cref="IGeoAdminGrain.GetConflicts(DateTimeOffset, DateTimeOffset, int)"/> (see <see cref="ConflictFeed"/>). Every
/// region that receives both versions resolves the pair (to the same result), so the same conflict may be recorded in
/// several regions under the same <see cref="Id"/> (unique per grain, not across grains).
/// </summary>
/// <param name="Grain">The grain.</param>
/// <param name="Id">
/// Names the conflict the same way in every region: for <see cref="ConflictOutcome.LastWriterWon"/> and
/// <see cref="ConflictOutcome.MergeFailed"/> the losing write (so each losing write has one id), for
/// <see cref="ConflictOutcome.Merged"/> the pair merged.
/// </param>
/// <param name="Local">The version the resolving region held.</param>
/// <param name="Remote">The version it received from another region.</param>
/// <param name="Policy">The grain's policy.</param>
/// <param name="Outcome">What was done.</param>
/// <param name="Loser">With <see cref="ConflictOutcome.LastWriterWon"/> or <see cref="ConflictOutcome.MergeFailed"/>, the version whose state was dropped; else <see langword="null"/>.</param>
/// <param name="ResultJson">The state stored as the resolution.</param>
/// <param name="Detail">With <see cref="ConflictOutcome.MergeFailed"/>, <c>"merge failed: "</c> and the exception's message; else empty.</param>
/// <param name="ResolvedIn">The region that resolved it and keeps this record.</param>
/// <param name="ResolvedAt">When, on that region's hybrid clock.</param>
[GenerateSerializer, Immutable]
public sealed record ConflictRecord(
    [property: Id(0)] GrainId Grain,
    [property: Id(1)] string Id,
    [property: Id(2)] ConflictVersion Local,
    [property: Id(3)] ConflictVersion Remote,
    [property: Id(4)] ConflictPolicy Policy,
    [property: Id(5)] ConflictOutcome Outcome,
    [property: Id(6)] ConflictVersion? Loser,
    [property: Id(7)] string ResultJson,
    [property: Id(8)] string Detail,
    [property: Id(9)] RegionId ResolvedIn,
    [property: Id(10)] HybridTimestamp ResolvedAt);
