namespace GeoGrains;

/// <summary>A region in a health view's suspected or declared-down set, and since when it is there.</summary>
/// <param name="Region">The region.</param>
/// <param name="Since">The observer's wall-clock time at which the region entered the set.</param>
[GenerateSerializer, Immutable]
public sealed record RegionSuspicion(
    [property: Id(0)] RegionId Region,
    [property: Id(1)] DateTimeOffset Since);
