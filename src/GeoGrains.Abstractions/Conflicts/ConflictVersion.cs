using GeoGrains.Crdts;

namespace GeoGrains;

/// <summary>One side of a conflict: a version of an active-active grain's state.</summary>
/// <param name="CommittedIn">The region that committed it (for a version that was itself a resolution: the later of its sides).</param>
/// <param name="CommittedAt">When, on the hybrid logical clock.</param>
/// <param name="Vector">What it had seen: per region, how many of that region's writes.</param>
/// <param name="StateJson">The state, as the JSON text GeoGrains stores it in.</param>
/// <param name="Epoch">For a single-owner grain's version (a reconciliation), its ownership epoch; else 0.</param>
/// <param name="Version">For a single-owner grain's version, its version number; else 0.</param>
/// <param name="IsDelta">
/// Whether <paramref name="StateJson"/> holds only what this version changed since a version the resolving region had
/// seen: it arrived as a delta (see <see cref="IDeltaCrdt{TSelf, TDelta}"/>), and its whole state is the resolving
/// region's copy joined with it.
/// </param>
[GenerateSerializer, Immutable]
public sealed record ConflictVersion(
    [property: Id(0)] RegionId CommittedIn,
    [property: Id(1)] HybridTimestamp CommittedAt,
    [property: Id(2)] VersionVector Vector,
    [property: Id(3)] string StateJson,
    [property: Id(4)] long Epoch = 0,
    [property: Id(5)] long Version = 0,
    [property: Id(6)] bool IsDelta = false)
{
    /// <inheritdoc />
    public override string ToString() => $"{CommittedIn}@{CommittedAt} {Vector}";
}
