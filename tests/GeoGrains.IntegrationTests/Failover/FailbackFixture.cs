using GeoGrains.Runtime.Hosting;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// <see cref="FailoverFixture"/>'s regions with automatic failback after <see cref="FailbackAfter"/>: every region
/// taken over returns by itself, so the tests that drain, kill and restore share one cluster.
/// </summary>
public sealed class FailbackFixture : IAsyncLifetime
{
    public static readonly TimeSpan FailbackAfter = TimeSpan.FromSeconds(2);

    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Geo = await new GeoTestClusterBuilder()
            .WithSilosPerRegion(2)
            .WithCallTimeout(TimeSpan.FromSeconds(2))
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o =>
            {
                FailoverFixture.Configure(o);
                o.Failover.FailbackAfter = FailbackAfter;
            }))
            .StartAsync();

    public async Task DisposeAsync() => await Geo.DisposeAsync();
}
