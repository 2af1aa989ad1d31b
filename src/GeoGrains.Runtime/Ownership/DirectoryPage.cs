namespace GeoGrains.Runtime.Ownership;

/// <summary>A page of a directory's grain overrides in key order, for a region whose change-log cursor was reset.</summary>
/// <param name="Overrides">The overrides of the page (only <see cref="OwnershipTable.Grains"/> is set).</param>
/// <param name="Next">Where the next page starts (pass it as <c>after</c>), or <see langword="null"/> after the last page.</param>
[GenerateSerializer, Immutable]
internal sealed record DirectoryPage([property: Id(0)] OwnershipTable Overrides, [property: Id(1)] string? Next);
