using GeoGrains.Configuration;
using GeoGrains.IntegrationTests.Failover;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GeoGrains.IntegrationTests.Idempotency;

/// <summary>
/// The seed's three regions, one silo each, with the failover tests' fast probes and short lease: one test kills
/// us-east for good, so the others use grains homed elsewhere.
/// </summary>
public sealed class IdempotencyFixture : IAsyncLifetime
{
    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Geo = await new GeoTestClusterBuilder()
            .WithCallTimeout(TimeSpan.FromSeconds(2))
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(FailoverFixture.Configure))
            .StartAsync();

    public async Task DisposeAsync() => await Geo.DisposeAsync();
}
