using GeoGrains.Configuration;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// The seed's three regions with two silos each and fast health probes, for tests that cut, isolate, kill and restart
/// regions; its own cluster, since these tests take regions down. Failover is off: these tests watch detection only,
/// and a takeover of the region they take down would race their checks of its health changes.
/// </summary>
public sealed class RegionHealthFixture : IAsyncLifetime
{
    /// <summary>Probe settings short enough for quick tests; the timeout stays above the 250 ms emulated round trip.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(200);

    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromMilliseconds(600);

    public const int FailuresToSuspect = 3;

    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Geo = await new GeoTestClusterBuilder()
            .WithSilosPerRegion(2)
            .WithCallTimeout(TimeSpan.FromSeconds(2))
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o =>
            {
                o.Health.ProbeInterval = ProbeInterval;
                o.Health.ProbeTimeout = ProbeTimeout;
                o.Health.FailuresToSuspect = FailuresToSuspect;
                o.Failover.Automatic = false;
            }))
            .StartAsync();

    public async Task DisposeAsync() => await Geo.DisposeAsync();
}
