namespace GeoGrains;

/// <summary>Which region owns a geo grain (takes its writes), under which epoch. Epochs only grow.</summary>
/// <param name="Owner">The owner region.</param>
/// <param name="Epoch">The ownership epoch; every change committed under it carries it.</param>
[GenerateSerializer, Immutable]
public sealed record GrainOwnership([property: Id(0)] RegionId Owner, [property: Id(1)] long Epoch);
