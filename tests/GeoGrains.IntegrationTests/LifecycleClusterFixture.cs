using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests;

/// <summary>Three regions with two silos each, for tests that kill and restart regions; one per test class.</summary>
public sealed class LifecycleClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Geo = await new GeoTestClusterBuilder().WithSilosPerRegion(2).WithCallTimeout(CallTimeout).StartAsync();

    public async Task DisposeAsync() => await Geo.DisposeAsync();
}
