using GeoGrains.Runtime.Topology;
using System.Diagnostics;
using GeoGrains.Runtime.Links;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace GeoGrains.IntegrationTests.Grains;

/// <summary>Says where it runs.</summary>
public interface IWhereAmIGrain : IGrainWithStringKey
{
    [ReadOnly]
    Task<Location> WhereAmI();
}

/// <summary>Calls grains in other regions through <see cref="IRegionLinks"/>, as user code would.</summary>
public interface IRemoteCallerGrain : IGrainWithStringKey
{
    Task<RemoteCall> CallWhereAmI(RegionId target, string key);

    Task<int> IncrementRemoteCounter(RegionId target, string key);
}

/// <summary>A counter persisted in the region's default grain storage.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Increment();

    [ReadOnly]
    Task<int> Get();
}

[GenerateSerializer, Immutable]
public sealed record Location([property: Id(0)] RegionId Region, [property: Id(1)] string ClusterId, [property: Id(2)] string Silo);

[GenerateSerializer, Immutable]
public sealed record RemoteCall([property: Id(0)] Location Caller, [property: Id(1)] Location Callee, [property: Id(2)] TimeSpan Elapsed);

public sealed class WhereAmIGrain(IRegionLinks links, ILocalSiloDetails silo) : Grain, IWhereAmIGrain
{
    public Task<Location> WhereAmI() =>
        Task.FromResult(new Location(links.LocalRegion, silo.ClusterId, silo.SiloAddress.ToString()));
}

public sealed class RemoteCallerGrain(IRegionLinks links, ILocalSiloDetails silo) : Grain, IRemoteCallerGrain
{
    public async Task<RemoteCall> CallWhereAmI(RegionId target, string key)
    {
        var started = Stopwatch.GetTimestamp();
        var callee = await links.InvokeAsync(target, factory => factory.GetGrain<IWhereAmIGrain>(key).WhereAmI());
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new RemoteCall(new Location(links.LocalRegion, silo.ClusterId, silo.SiloAddress.ToString()), callee, elapsed);
    }

    public Task<int> IncrementRemoteCounter(RegionId target, string key) =>
        links.InvokeAsync(target, factory => factory.GetGrain<ICounterGrain>(key).Increment());
}

public sealed class CounterGrain([PersistentState("counter")] IPersistentState<int> counter) : Grain, ICounterGrain
{
    public async Task<int> Increment()
    {
        counter.State++;
        await counter.WriteStateAsync();
        return counter.State;
    }

    public Task<int> Get() => Task.FromResult(counter.State);
}
