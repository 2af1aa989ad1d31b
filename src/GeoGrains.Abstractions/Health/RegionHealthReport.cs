namespace GeoGrains;

/// <summary>
/// What one region currently suspects, as it tells the others in every probe and probe reply: the votes from which
/// each region decides which regions a majority suspects.
/// </summary>
/// <param name="Reporter">The region that suspects.</param>
/// <param name="Suspects">The regions it suspects now.</param>
/// <param name="ObservedAt">The reporter's hybrid logical clock when it made the report; a later report replaces an earlier one.</param>
[GenerateSerializer, Immutable]
public sealed record RegionHealthReport(
    [property: Id(0)] RegionId Reporter,
    [property: Id(1)] IReadOnlyList<RegionId> Suspects,
    [property: Id(2)] HybridTimestamp ObservedAt);
