using GeoGrains.Configuration;
using GeoGrains.Runtime.Storage;
using GeoGrains.Testing.Azurite;
using Orleans.TestingHost;

namespace GeoGrains.Testing;

/// <summary>
/// One region of a <see cref="GeoTestCluster"/>: its Orleans cluster (while running) and its storage, which outlives the
/// region's silos: an in-memory <see cref="Storage"/> account by default, or its own <see cref="Azurite"/> with
/// <see cref="GeoTestClusterBuilder.WithAzureStorage"/>.
/// </summary>
public sealed class GeoTestRegion
{
    private readonly RegionStorageAccount? _storage;
    private GeoStore? _store;

    internal GeoTestRegion(RegionId id, string clusterId, int baseSiloPort, int baseGatewayPort, RegionStorageAccount? storage)
    {
        Id = id;
        ClusterId = clusterId;
        BaseSiloPort = baseSiloPort;
        BaseGatewayPort = baseGatewayPort;
        _storage = storage;
        StorageProvider = storage is null ? RegionStorageProvider.AzureTable : RegionStorageProvider.Memory;
    }

    /// <summary>The region id.</summary>
    public RegionId Id { get; }

    /// <summary>The Orleans ClusterId of the region's cluster.</summary>
    public string ClusterId { get; }

    /// <summary>
    /// Where the region keeps its data: <see cref="RegionStorageProvider.Memory"/> (<see cref="Storage"/>) or
    /// <see cref="RegionStorageProvider.AzureTable"/> (<see cref="Azurite"/>).
    /// </summary>
    public RegionStorageProvider StorageProvider { get; }

    /// <summary>The region's in-memory storage account; it outlives the region's silos. Only regions on <see cref="RegionStorageProvider.Memory"/> have one.</summary>
    /// <exception cref="InvalidOperationException">The region keeps its data in Azurite (<see cref="GeoTestClusterBuilder.WithAzureStorage"/>).</exception>
    public RegionStorageAccount Storage => _storage ?? throw new InvalidOperationException(
        $"Region '{Id}' keeps its data in Azurite (GeoTestClusterBuilder.WithAzureStorage), not in an in-memory account; use its Azurite, StopStorageAsync or StartStorageAsync.");

    /// <summary>The region's own Azurite, or <see langword="null"/> when the region keeps its data in memory.</summary>
    public AzuriteProcess? Azurite { get; internal set; }

    /// <summary>The region's Orleans test cluster, or <see langword="null"/> while the region is killed.</summary>
    public TestCluster? Cluster { get; internal set; }

    /// <summary>Whether the region's silos are running.</summary>
    public bool IsRunning => Cluster is not null;

    /// <summary>A client connected to this region's gateways, as an application server in the region would be.</summary>
    /// <exception cref="InvalidOperationException">The region is killed.</exception>
    public IClusterClient Client =>
        Cluster?.Client ?? throw new InvalidOperationException($"Region '{Id}' is not running; restart it with RestartRegionAsync.");

    /// <summary>
    /// Takes the region's storage down, as an outage of its account: every storage operation of the region fails with
    /// <see cref="RegionStorageException"/> until <see cref="StartStorageAsync"/>. Azurite is stopped so that it keeps
    /// every acknowledged write; the in-memory account keeps its data too.
    /// </summary>
    public async Task StopStorageAsync(CancellationToken cancellationToken = default)
    {
        if (Azurite is { } azurite)
        {
            await azurite.StopAsync(cancellationToken);
        }
        else
        {
            Storage.IsAvailable = false;
        }
    }

    /// <summary>Brings the region's storage back after <see cref="StopStorageAsync"/>, with its data.</summary>
    public async Task StartStorageAsync(CancellationToken cancellationToken = default)
    {
        if (Azurite is { } azurite)
        {
            if (!azurite.IsRunning)
            {
                await azurite.StartAsync(cancellationToken);
            }
        }
        else
        {
            Storage.IsAvailable = true;
        }
    }

    /// <summary>
    /// How many grains have changes the region's silos still have to ship (outbox markers in its storage); markers stay
    /// for <c>ReplicationOptions.MarkerLinger</c> after the last region acknowledged. Reads only the markers.
    /// </summary>
    public async Task<int> CountPendingChangesAsync(CancellationToken cancellationToken = default) =>
        await Store.PendingAsync(cancellationToken).CountAsync(cancellationToken);

    /// <summary>
    /// The region's geo grain records and outbox, read as the silos read them (through the same kind of table), for
    /// inspection; its round trips are not counted in <see cref="GeoTestCluster.StorageMetrics"/>.
    /// </summary>
    internal GeoStore Store
    {
        get => _store ?? throw new InvalidOperationException($"Region '{Id}''s storage is not started yet.");
        set => _store = value;
    }

    internal int BaseSiloPort { get; }

    internal int BaseGatewayPort { get; }
}
