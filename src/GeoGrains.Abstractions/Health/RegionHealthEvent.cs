namespace GeoGrains;

/// <summary>
/// One change in a region's view of another region's health, as published on the region's health stream
/// (<see cref="RegionHealthStream"/>) and kept in its timeline (<see cref="IRegionHealthGrain.GetTimeline"/>).
/// </summary>
/// <param name="Observer">The region whose view changed.</param>
/// <param name="Subject">The region the change is about.</param>
/// <param name="Change">What changed.</param>
/// <param name="At">The observer's wall-clock time of the change.</param>
/// <param name="Timestamp">The observer's hybrid logical clock at the change, ordered after every health report it had received.</param>
/// <param name="Detail">What else there is to say, e.g. the epoch and successors of a transfer; empty for most changes.</param>
[GenerateSerializer, Immutable]
public sealed record RegionHealthEvent(
    [property: Id(0)] RegionId Observer,
    [property: Id(1)] RegionId Subject,
    [property: Id(2)] RegionHealthChange Change,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] HybridTimestamp? Timestamp,
    [property: Id(5)] string Detail = "");
