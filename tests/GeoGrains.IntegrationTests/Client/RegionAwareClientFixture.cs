using GeoGrains.Configuration;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GeoGrains.IntegrationTests.Client;

/// <summary>The seed's three regions, one silo each, WAN emulation on, started once for the region-aware client tests.</summary>
public sealed class RegionAwareClientFixture : IAsyncLifetime
{
    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Geo = await new GeoTestClusterBuilder()
            .WithCallTimeout(TimeSpan.FromSeconds(2))
            // The tests kill a region to move the client, not to move grains: platform failover is covered elsewhere.
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o => o.Failover.Automatic = false))
            .StartAsync();

    public async Task DisposeAsync() => await Geo.DisposeAsync();
}
