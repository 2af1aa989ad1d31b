namespace GeoGrains.Client;

/// <summary>How the region-aware client sees one region right now.</summary>
/// <param name="Region">The region.</param>
/// <param name="Healthy">Whether its last probe or call succeeded.</param>
/// <param name="RoundTrip">The smoothed round trip of its probes; <see langword="null"/> before the first answer.</param>
/// <param name="HealthySince">When it last became healthy; <see langword="null"/> while it is not.</param>
/// <param name="LastFailure">Why it last failed, if it did.</param>
public sealed record GeoRegionStatus(RegionId Region, bool Healthy, TimeSpan? RoundTrip, DateTimeOffset? HealthySince, string? LastFailure);
