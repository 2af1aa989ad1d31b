using GeoGrains.Crdts;

namespace GeoGrains.Benchmarks;

/// <summary>A set of SKUs every region changes locally (the stream-bytes scenario).</summary>
public interface IBenchSkuSetGrain : IGrainWithStringKey
{
    Task Add(params string[] skus);

    Task Remove(string sku);
}

/// <summary>Concurrent versions are joined as an add-wins OR-Set; versions ship as deltas when that is smaller.</summary>
[GeoGrain(Home = HomeBy.Hash, Writers = GeoWriters.AnyRegion, Conflicts = ConflictPolicy.Crdt)]
public sealed class BenchSkuSetGrain : GeoGrain<ORSet<string>>, IBenchSkuSetGrain
{
    protected override ORSet<string> CreateInitialState() => ORSet<string>.Empty;

    public Task Add(params string[] skus) => Update(set => skus.Aggregate(set, (s, sku) => s.Add(Region, sku)));

    public Task Remove(string sku) => Update(set => set.Remove(sku));
}
