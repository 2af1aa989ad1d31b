using GeoGrains.Runtime.Hosting;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// Three regions with failover on, us-east with three silos (eu-west two, apac-east one), for the test that kills the
/// silo running us-east's health observer; its own cluster, since that test kills a silo for good. The lease keeps its
/// default period; probes come every half second, so a silo's lease is confirmed several times per period even on a
/// loaded machine.
/// </summary>
public sealed class ObserverSiloLossFixture : IAsyncLifetime
{
    public static readonly TimeSpan LeasePeriod = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(500);

    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Geo = await new GeoTestClusterBuilder()
            .WithSilos("us-east", 3)
            .WithSilos("eu-west", 2)
            .WithSilos("apac-east", 1)
            .WithCallTimeout(TimeSpan.FromSeconds(2))
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
