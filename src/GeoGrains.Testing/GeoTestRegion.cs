using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using Orleans.TestingHost;

namespace GeoGrains.Testing;

/// <summary>One region of a <see cref="GeoTestCluster"/>: its Orleans cluster (while running) and its storage account.</summary>
public sealed class GeoTestRegion
{
    internal GeoTestRegion(RegionId id, string clusterId, int baseSiloPort, int baseGatewayPort, RegionStorageAccount storage, GeoStore store)
    {
        Store = store;
        Id = id;
        ClusterId = clusterId;
        BaseSiloPort = baseSiloPort;
        BaseGatewayPort = baseGatewayPort;
        Storage = storage;
    }

    /// <summary>The region id.</summary>
    public RegionId Id { get; }

    /// <summary>The Orleans ClusterId of the region's cluster.</summary>
    public string ClusterId { get; }

    /// <summary>The region's storage account; it outlives the region's silos.</summary>
    public RegionStorageAccount Storage { get; }

    /// <summary>The region's Orleans test cluster, or <see langword="null"/> while the region is killed.</summary>
    public TestCluster? Cluster { get; internal set; }

    /// <summary>Whether the region's silos are running.</summary>
    public bool IsRunning => Cluster is not null;

    /// <summary>A client connected to this region's gateways, as an application server in the region would be.</summary>
    /// <exception cref="InvalidOperationException">The region is killed.</exception>
    public IClusterClient Client =>
        Cluster?.Client ?? throw new InvalidOperationException($"Region '{Id}' is not running; restart it with RestartRegionAsync.");

    /// <summary>
    /// How many grains have changes the region's silos still have to ship (outbox markers in its storage); markers stay
    /// for <c>ReplicationOptions.MarkerLinger</c> after the last region acknowledged. Reads only the markers.
    /// </summary>
    public async Task<int> CountPendingChangesAsync(CancellationToken cancellationToken = default)
    {
        var count = 0;
        for (var partition = 0; partition < Store.Partitions; partition++)
        {
            await foreach (var _ in Store.PendingAsync(partition, cancellationToken))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The region's geo grain records and outbox, read as the silos read them, for inspection.</summary>
    internal GeoStore Store { get; }

    internal int BaseSiloPort { get; }

    internal int BaseGatewayPort { get; }
}
