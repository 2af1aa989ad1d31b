using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// <see cref="FailoverFixture"/>'s regions with automatic failback after <see cref="FailbackAfter"/>: every region
/// taken over returns by itself, so the tests that drain, kill and restore share one cluster.
/// </summary>
public sealed class FailbackFixture : IAsyncLifetime
{
    public static readonly TimeSpan FailbackAfter = TimeSpan.FromSeconds(2);

    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() => Geo = await FailoverFixture.StartAsync(o => o.Failover.FailbackAfter = FailbackAfter);

    public async Task DisposeAsync() => await Geo.DisposeAsync();
}
