using GeoGrains.Runtime.Topology;

namespace GeoGrains.Simulation;

/// <summary>A geo grain of the simulation: its id, its home region and home partition (as <c>GeoWritePath.Register</c> finds them).</summary>
internal sealed record SimGrain(int Index, GrainId Id, RegionId Home, HomePartition Partition)
{
    public override string ToString() => $"g{Index}@{Home}";
}
