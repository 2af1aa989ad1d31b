namespace GeoGrains.Runtime.Topology;

/// <summary>The region of the silo, as a service so that components need not re-read and re-validate options.</summary>
internal sealed record LocalRegion(RegionId Id);
