using GeoGrains.Configuration;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GeoGrains.IntegrationTests;

/// <summary>The seed's three regions with two silos each, WAN emulation on, started once for the collection.</summary>
public sealed class ThreeRegionsFixture : IAsyncLifetime
{
    /// <summary>Short enough that partition tests finish quickly, far above any emulated round trip.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Geo = await new GeoTestClusterBuilder()
            .WithSilosPerRegion(2)
            .WithCallTimeout(CallTimeout)
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o =>
            {
                o.HomeFunctions[CountryHomedGrain.HomeFunction] = CountryHomedGrain.HomeOf;

                // Shared by many test classes that cut regions off for a while: none of them is about failover, and a
                // takeover left behind by one would move grains under the next (the Failover tests cover it).
                o.Failover.Automatic = false;
            }))
            .StartAsync();

    public async Task DisposeAsync() => await Geo.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ThreeRegionsCollection : ICollectionFixture<ThreeRegionsFixture>
{
    public const string Name = "three regions";
}
