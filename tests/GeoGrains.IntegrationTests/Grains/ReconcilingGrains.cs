using System.Collections.Immutable;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace GeoGrains.IntegrationTests.Grains;

/// <summary>A list of items; the three classes below differ only in what they do with an orphaned version.</summary>
public interface IItemsGrain : IGrainWithStringKey
{
    [ReadOnly]
    Task<ItemsView> Get();

    Task<WriteReceipt> Add(int item);
}

/// <summary>Keeps the current state (the default hook).</summary>
public interface IKeepingItemsGrain : IItemsGrain;

/// <summary>Merges an orphaned version in: the union of both lists.</summary>
public interface IMergingItemsGrain : IItemsGrain;

/// <summary>Its hook throws.</summary>
public interface IFailingItemsGrain : IItemsGrain;

[GenerateSerializer, Immutable]
public sealed record ItemsView([property: Id(0)] RegionId ServedBy, [property: Id(1)] long Version, [property: Id(2)] ImmutableArray<int> Items);

public sealed record Items(ImmutableList<int> List)
{
    public Items() : this(ImmutableList<int>.Empty)
    {
    }
}

public abstract class ItemsGrain(ILocalSiloDetails silo) : GeoGrain<Items>
{
    public Task<ItemsView> Get() => Task.FromResult(new ItemsView(Region, Version, [.. State.List]));

    public async Task<WriteReceipt> Add(int item)
    {
        await Update(s => s with { List = s.List.Add(item) });
        return new WriteReceipt(Region, silo.ClusterId, Version);
    }
}

[GeoGrain]
public sealed class KeepingItemsGrain(ILocalSiloDetails silo) : ItemsGrain(silo), IKeepingItemsGrain;

[GeoGrain]
public sealed class MergingItemsGrain(ILocalSiloDetails silo) : ItemsGrain(silo), IMergingItemsGrain
{
    protected override Items? OnReconcile(Items current, Items orphaned) =>
        current with { List = current.List.AddRange(orphaned.List.Where(i => !current.List.Contains(i))) };
}

[GeoGrain]
public sealed class FailingItemsGrain(ILocalSiloDetails silo) : ItemsGrain(silo), IFailingItemsGrain
{
    public const string Message = "these items cannot be merged";

    protected override Items? OnReconcile(Items current, Items orphaned) => throw new InvalidOperationException(Message);
}
