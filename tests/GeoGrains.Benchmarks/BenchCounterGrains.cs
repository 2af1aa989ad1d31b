using GeoGrains.Crdts;

namespace GeoGrains.Benchmarks;

/// <summary>A counter written by the active-active scenario; the three grain types below differ only in how a write is stored.</summary>
public interface IBenchCounter : IGrainWithStringKey
{
    /// <summary>Adds <paramref name="amount"/> in the region the call runs in; returns the counter's value.</summary>
    Task<long> Add(long amount);
}

public interface IBenchActiveCounterGrain : IBenchCounter;

public interface IBenchOwnedCounterGrain : IBenchCounter;

public interface IPlainCounterGrain : IBenchCounter;

/// <summary>The grain under test: every region writes locally; concurrent versions are joined as a PN-Counter.</summary>
[GeoGrain(Home = HomeBy.Hash, Writers = GeoWriters.AnyRegion, Conflicts = ConflictPolicy.Crdt)]
public sealed class BenchActiveCounterGrain : GeoGrain<PNCounter>, IBenchActiveCounterGrain
{
    protected override PNCounter CreateInitialState() => PNCounter.Zero;

    public async Task<long> Add(long amount)
    {
        await Update(counter => counter.Add(Region, amount));
        return State.Value;
    }
}

/// <summary>The same counter as a single-owner geo grain (homed by its key's region prefix), for reference.</summary>
[GeoGrain]
public sealed class BenchOwnedCounterGrain : GeoGrain<PNCounter>, IBenchOwnedCounterGrain
{
    protected override PNCounter CreateInitialState() => PNCounter.Zero;

    public async Task<long> Add(long amount)
    {
        await Update(counter => counter.Add(Region, amount));
        return State.Value;
    }
}

/// <summary>The plain grain's state: each region's count, as a PN-Counter holds it, in a shape Orleans' grain storage serializes as it is.</summary>
public sealed class PlainCounterState
{
    public Dictionary<string, long> Increments { get; set; } = [];

    public Dictionary<string, long> Decrements { get; set; } = [];
}

/// <summary>The baseline: a plain Orleans grain doing the same write to the same regional storage.</summary>
public sealed class PlainCounterGrain([PersistentState("counter")] IPersistentState<PlainCounterState> counter) : Grain, IPlainCounterGrain
{
    public async Task<long> Add(long amount)
    {
        // Keys start with the region the benchmark calls the grain in, as a geo grain's count is kept per region.
        var region = this.GetPrimaryKeyString().Split('/')[0];
        var side = amount >= 0 ? counter.State.Increments : counter.State.Decrements;
        side[region] = side.GetValueOrDefault(region) + Math.Abs(amount);
        await counter.WriteStateAsync();
        return counter.State.Increments.Values.Sum() - counter.State.Decrements.Values.Sum();
    }
}
