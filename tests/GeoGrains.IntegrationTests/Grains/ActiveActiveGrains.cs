using System.Collections.Immutable;
using GeoGrains.Crdts;
using Orleans.Concurrency;

namespace GeoGrains.IntegrationTests.Grains;

/// <summary>A counter every region increments locally; concurrent versions are joined as a PN-Counter.</summary>
public interface IGeoCounterGrain : IGrainWithStringKey
{
    /// <summary>Adds <paramref name="amount"/> in the region the call arrives in; returns that region.</summary>
    Task<RegionId> Add(long amount);

    [ReadOnly]
    Task<long> Get();
}

[GeoGrain(Home = HomeBy.Hash, Writers = GeoWriters.AnyRegion, Conflicts = ConflictPolicy.Crdt)]
public sealed class GeoCounterGrain : GeoGrain<PNCounter>, IGeoCounterGrain
{
    protected override PNCounter CreateInitialState() => PNCounter.Zero;

    public async Task<RegionId> Add(long amount)
    {
        await Update(counter => counter.Add(Region, amount));
        return Region;
    }

    public Task<long> Get() => Task.FromResult(State.Value);
}

/// <summary>A value every region sets locally; the last writer wins.</summary>
public interface IGeoFlagGrain : IGrainWithStringKey
{
    Task<RegionId> Set(string value);

    [ReadOnly]
    Task<string> Get();
}

public sealed record Flag(string Value);

[GeoGrain(Home = HomeBy.Hash, Writers = GeoWriters.AnyRegion, Conflicts = ConflictPolicy.LastWriterWins)]
public sealed class GeoFlagGrain : GeoGrain<Flag>, IGeoFlagGrain
{
    protected override Flag CreateInitialState() => new(string.Empty);

    public async Task<RegionId> Set(string value)
    {
        await Update(_ => new Flag(value));
        return Region;
    }

    public Task<string> Get() => Task.FromResult(State.Value);
}

/// <summary>The shopping-cart sample: items added in any region; concurrent carts merge by the user's merge.</summary>
public interface ICartGrain : IGrainWithStringKey
{
    Task Add(string item, int quantity);

    [ReadOnly]
    Task<Dictionary<string, int>> Get();
}

public sealed record Cart(ImmutableSortedDictionary<string, int> Items);

[GeoGrain(Home = HomeBy.Hash, Writers = GeoWriters.AnyRegion, Conflicts = ConflictPolicy.Custom)]
public sealed class CartGrain : GeoGrain<Cart>, ICartGrain
{
    protected override Cart CreateInitialState() => new(ImmutableSortedDictionary<string, int>.Empty);

    public Task Add(string item, int quantity) =>
        Update(cart => cart with { Items = cart.Items.SetItem(item, cart.Items.GetValueOrDefault(item) + quantity) });

    public Task<Dictionary<string, int>> Get() => Task.FromResult(new Dictionary<string, int>(State.Items));

    // Nothing a shopper put in a cart in any region disappears: every item of both, the larger quantity of an item in both.
    protected override Cart MergeConcurrent(Cart later, Cart earlier) =>
        new(earlier.Items.Aggregate(later.Items, (items, item) => items.SetItem(item.Key, Math.Max(item.Value, items.GetValueOrDefault(item.Key)))));
}

/// <summary>A note whose merge always throws: the last writer must win, the failure be reported, and the grain keep working.</summary>
public interface IBrokenMergeGrain : IGrainWithStringKey
{
    Task Set(string text);

    [ReadOnly]
    Task<string> Get();
}

public sealed record BrokenNote(string Text);

[GeoGrain(Home = HomeBy.Hash, Writers = GeoWriters.AnyRegion, Conflicts = ConflictPolicy.Custom)]
public sealed class BrokenMergeGrain : GeoGrain<BrokenNote>, IBrokenMergeGrain
{
    public const string Failure = "notes cannot be merged";

    protected override BrokenNote CreateInitialState() => new(string.Empty);

    public Task Set(string text) => Update(_ => new BrokenNote(text));

    public Task<string> Get() => Task.FromResult(State.Text);

    protected override BrokenNote MergeConcurrent(BrokenNote later, BrokenNote earlier) => throw new InvalidOperationException(Failure);
}

/// <summary>Tags every region adds and removes locally; concurrent versions are joined as an add-wins OR-Set.</summary>
public interface IGeoTagsGrain : IGrainWithStringKey
{
    Task Add(params string[] tags);

    Task Remove(string tag);

    [ReadOnly]
    Task<string[]> Get();
}

[GeoGrain(Home = HomeBy.Hash, Writers = GeoWriters.AnyRegion, Conflicts = ConflictPolicy.Crdt)]
public sealed class GeoTagsGrain : GeoGrain<ORSet<string>>, IGeoTagsGrain
{
    protected override ORSet<string> CreateInitialState() => ORSet<string>.Empty;

    public Task Add(params string[] tags) => Update(set => tags.Aggregate(set, (s, tag) => s.Add(Region, tag)));

    public Task Remove(string tag) => Update(set => set.Remove(tag));

    public Task<string[]> Get() => Task.FromResult(State.Elements.ToArray());
}
