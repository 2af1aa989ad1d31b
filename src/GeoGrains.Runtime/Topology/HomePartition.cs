namespace GeoGrains.Runtime.Topology;

/// <summary>The unit of ownership: a home region and one of its hash buckets.</summary>
[GenerateSerializer, Immutable]
internal readonly record struct HomePartition([property: Id(0)] RegionId Home, [property: Id(1)] int Bucket)
{
    public static HomePartition Of(RegionId home, string key, int partitionsPerRegion) =>
        new(home, (int)(KeyHash.Of(key) % (uint)partitionsPerRegion));
}
