namespace GeoGrains.Runtime.Topology;

/// <summary>
/// How grains are bucketed into home partitions, the unit of ownership (<c>GeoGrains:PartitionsPerRegion</c>): the same
/// number in every region, so that every region puts a key in the same partition.
/// </summary>
internal sealed record HomePartitioning(int PartitionsPerRegion)
{
    /// <summary>The home partition of <paramref name="key"/>, homed in <paramref name="home"/>.</summary>
    public HomePartition Of(RegionId home, string key) => HomePartition.Of(home, key, PartitionsPerRegion);
}
