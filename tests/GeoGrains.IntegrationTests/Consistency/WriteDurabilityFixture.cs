using GeoGrains.Configuration;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GeoGrains.IntegrationTests.Consistency;

/// <summary>
/// The seed's three regions, one silo each, WAN emulation on, for one test class of write durability. Writes wait at
/// most <see cref="AcknowledgementTimeout"/> for other regions, well above the farthest emulated round trip (250 ms)
/// and below the links' call timeout, so that a forwarded write that times out reports why.
/// </summary>
public sealed class WriteDurabilityFixture : IAsyncLifetime
{
    public static readonly TimeSpan AcknowledgementTimeout = TimeSpan.FromSeconds(2);

    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Geo = await new GeoTestClusterBuilder()
            .WithSilosPerRegion(1)
            .WithCallTimeout(TimeSpan.FromSeconds(5))
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o => o.Replication.AcknowledgementTimeout = AcknowledgementTimeout))
            .StartAsync();

    public async Task DisposeAsync() => await Geo.DisposeAsync();
}
