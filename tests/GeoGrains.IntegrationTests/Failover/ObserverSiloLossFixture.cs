using GeoGrains.Configuration;
using GeoGrains.Runtime.Failover;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// Three regions with failover on, us-east with three silos (eu-west two, apac-east one), for the test that kills the
/// silo running us-east's health observer; its own cluster, since that test kills a silo for good. The lease keeps its
/// default period; probes come every half second, so a silo's lease is confirmed several times per period even on a
/// loaded machine. us-east's silos can be told to refuse every call to the region's observer
/// (<see cref="ObserverUnreachable"/>), as they would while Orleans has not yet declared the observer's dead silo dead
/// (the test cluster's in-process kill tells the others at once; a real crash takes the membership's probes).
/// </summary>
public sealed class ObserverSiloLossFixture : IAsyncLifetime
{
    public static readonly TimeSpan LeasePeriod = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(500);

    public GeoTestCluster Geo { get; private set; } = null!;

    /// <summary>While set, us-east's silos refuse every call to us-east's health observer.</summary>
    public ObserverBlock ObserverUnreachable { get; } = new();

    public async Task InitializeAsync() =>
        Geo = await new GeoTestClusterBuilder()
            .WithSilos("us-east", 3)
            .WithSilos("eu-west", 2)
            .WithSilos("apac-east", 1)
            .WithCallTimeout(TimeSpan.FromSeconds(2))
            .ConfigureSilo((region, silo) =>
            {
                if (region == "us-east")
                {
                    silo.Services.AddSingleton(ObserverUnreachable);
                    silo.AddIncomingGrainCallFilter<ObserverBlockFilter>();
                }
            })
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o =>
            {
                o.Health.ProbeInterval = ProbeInterval;

                // Well above the 200 ms emulated round trip, so that a busy machine does not fail probes.
                o.Health.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.Health.FailuresToSuspect = 3;
                o.Failover.LeasePeriod = LeasePeriod;
                o.Failover.MaxClockOffset = TimeSpan.FromMilliseconds(250);
                o.Failover.FailbackAfter = null;
            }))
            .StartAsync();

    public async Task DisposeAsync() => await Geo.DisposeAsync();
}

/// <summary>A switch shared by the test and us-east's silos.</summary>
public sealed class ObserverBlock
{
    private volatile bool _blocked;

    public bool Blocked
    {
        get => _blocked;
        set => _blocked = value;
    }
}

/// <summary>Refuses calls to the region's health observer while <see cref="ObserverBlock.Blocked"/>.</summary>
internal sealed class ObserverBlockFilter(ObserverBlock block) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context) =>
        block.Blocked && context.Grain is IRegionHealthPeer
            ? throw new TimeoutException("the test makes the region's health observer unreachable")
            : context.Invoke();
}
