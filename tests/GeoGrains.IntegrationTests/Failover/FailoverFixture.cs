using GeoGrains.Configuration;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// The seed's three regions with two silos each, fast probes and a short lease, for tests that kill, isolate and
/// restart regions and watch their grains move; its own cluster, since regions taken over stay so.
/// </summary>
public sealed class FailoverFixture : IAsyncLifetime
{
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(200);

    public static readonly TimeSpan LeasePeriod = TimeSpan.FromSeconds(1);

    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() => Geo = await StartAsync(_ => { });

    /// <summary>Starts the three regions with <see cref="Configure"/>'s settings, then <paramref name="more"/>.</summary>
    public static Task<GeoTestCluster> StartAsync(Action<GeoGrainsOptions> more) =>
        new GeoTestClusterBuilder()
            .WithSilosPerRegion(2)
            .WithCallTimeout(TimeSpan.FromSeconds(2))
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o =>
            {
                Configure(o);
                more(o);
            }))
            .StartAsync();

    public async Task DisposeAsync() => await Geo.DisposeAsync();

    /// <summary>Probe and lease settings short enough for quick tests; the probe timeout stays above the 250 ms emulated round trip.</summary>
    public static void Configure(GeoGrainsOptions options)
    {
        options.Health.ProbeInterval = ProbeInterval;
        options.Health.ProbeTimeout = TimeSpan.FromMilliseconds(600);
        options.Health.FailuresToSuspect = 3;
        options.Failover.LeasePeriod = LeasePeriod;
        options.Failover.MaxClockOffset = TimeSpan.FromMilliseconds(100);
        options.Replication.AcknowledgementTimeout = TimeSpan.FromSeconds(1.5);

        // Regions taken over stay so unless a test gives them back; the failback test sets its own stable period.
        options.Failover.FailbackAfter = null;
    }
}
