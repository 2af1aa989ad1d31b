using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests;

/// <summary>
/// Tests on a cluster they share with others that cut, isolate or drop links: each test ends with the network healed,
/// whether it passed or not, so that the next one starts with every link up.
/// </summary>
public abstract class NetworkFaultTests(Func<GeoTestCluster> cluster) : IAsyncLifetime
{
    protected GeoTestCluster Geo => cluster();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Geo.Heal();
        return Task.CompletedTask;
    }
}
