namespace GeoGrains;

/// <summary>A region's current view of the health of the other regions (<see cref="IRegionHealthGrain.GetView"/>).</summary>
/// <param name="Observer">The region whose view this is.</param>
/// <param name="Suspected">The regions the observer's own probes suspect.</param>
/// <param name="DeclaredDown">The regions a majority of all regions suspect, as far as the observer knows.</param>
/// <param name="Reports">
/// The latest report of every other region that the observer has received; only reports of regions the observer does
/// not suspect count as votes.
/// </param>
/// <param name="Rounds">
/// How many probe rounds have completed: the fewest probes answered or failed for any one other region since the
/// observer started. Wait for it to grow to know that the observer has probed every region again.
/// </param>
/// <param name="At">The observer's wall-clock time of the view.</param>
/// <param name="Silo">
/// The silo the observer runs on now (its address), for diagnostics: the observer moves to another silo of the region
/// when its silo dies. Null where it was not filled in.
/// </param>
[GenerateSerializer, Immutable]
public sealed record RegionHealthView(
    [property: Id(0)] RegionId Observer,
    [property: Id(1)] IReadOnlyList<RegionSuspicion> Suspected,
    [property: Id(2)] IReadOnlyList<RegionSuspicion> DeclaredDown,
    [property: Id(3)] IReadOnlyList<RegionHealthReport> Reports,
    [property: Id(4)] long Rounds,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] string? Silo = null)
{
    /// <summary>Whether the observer's own probes suspect <paramref name="region"/>.</summary>
    public bool Suspects(RegionId region) => Suspected.Any(s => s.Region == region);

    /// <summary>Whether the observer holds <paramref name="region"/> declared down.</summary>
    public bool HoldsDown(RegionId region) => DeclaredDown.Any(s => s.Region == region);
}
