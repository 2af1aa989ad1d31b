using GeoGrains.Runtime.Topology;
using Orleans.Hosting;

namespace GeoGrains.Testing;

/// <summary>
/// Builds a <see cref="GeoTestCluster"/>: one real Orleans cluster per region (Orleans TestingHost silos in this
/// process, each region with its own ClusterId, ports and storage), connected by emulated WAN links.
/// </summary>
/// <example>
/// <code>
/// await using var geo = await new GeoTestClusterBuilder()
///     .WithSilosPerRegion(2)
///     .ConfigureSilo((region, silo) => silo.AddMemoryStreams("changes"))
///     .StartAsync();
/// var reply = await geo.Client("us-east").GetGrain&lt;IRegionProbeGrain&gt;(0).MeasureRoundTrip("apac-east");
/// </code>
/// </example>
public sealed class GeoTestClusterBuilder
{
    private readonly List<Action<RegionId, ISiloBuilder>> _siloConfigurations = [];
    private GeoTopology _topology = GeoTopology.Default;
    private readonly Dictionary<RegionId, int> _silosOf = [];
    private int _silosPerRegion = 1;
    private TimeSpan _callTimeout = TimeSpan.FromSeconds(5);
    private bool _emulateWan = true;
    private bool _azureStorage;

    /// <summary>Uses <paramref name="topology"/> (regions and round trips). Default: <see cref="GeoTopology.Default"/>. Gateways are assigned by the test cluster.</summary>
    public GeoTestClusterBuilder WithTopology(GeoTopology topology)
    {
        _topology = topology ?? throw new ArgumentNullException(nameof(topology));
        return this;
    }

    /// <summary>Starts only the given regions of the current topology.</summary>
    /// <exception cref="UnknownRegionException">A region is not in the topology.</exception>
    public GeoTestClusterBuilder WithRegions(params RegionId[] regions)
    {
        _topology = _topology.Subset(regions);
        return this;
    }

    /// <summary>How many silos each region starts with. Default 1.</summary>
    public GeoTestClusterBuilder WithSilosPerRegion(int silos)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(silos, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(silos, 16);
        _silosPerRegion = silos;
        return this;
    }

    /// <summary>How many silos <paramref name="region"/> starts with, instead of <see cref="WithSilosPerRegion"/>'s number.</summary>
    public GeoTestClusterBuilder WithSilos(RegionId region, int silos)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(silos, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(silos, 16);
        _silosOf[region] = silos;
        return this;
    }

    /// <summary>How long a cross-region call may take before it fails with <see cref="RegionUnreachableException"/>. Default 5 s.</summary>
    public GeoTestClusterBuilder WithCallTimeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _callTimeout = timeout;
        return this;
    }

    /// <summary>Whether links add the topology's delays. Default <see langword="true"/>; partitions and loss work either way.</summary>
    public GeoTestClusterBuilder WithWanEmulation(bool emulateDelays)
    {
        _emulateWan = emulateDelays;
        return this;
    }

    /// <summary>
    /// Gives every region its own Azurite (the local Azure Storage emulator, <see cref="Azurite.AzuriteProcess"/>),
    /// started with the cluster and stopped when it is disposed, and configures the region on
    /// <see cref="Configuration.RegionStorageProvider.AzureTable"/> with that Azurite's connection string: GeoGrains'
    /// table and the default grain storage live there. The regions then have no in-memory
    /// <see cref="GeoTestRegion.Storage"/>; use <see cref="GeoTestRegion.Azurite"/>,
    /// <see cref="GeoTestRegion.StopStorageAsync"/> and <see cref="GeoTestRegion.StartStorageAsync"/>. Needs Azurite:
    /// run <c>npm ci</c> in the repository root.
    /// </summary>
    public GeoTestClusterBuilder WithAzureStorage()
    {
        _azureStorage = true;
        return this;
    }

    /// <summary>Adds configuration applied to every silo of every region (grain storage, streams, your own services).</summary>
    public GeoTestClusterBuilder ConfigureSilo(Action<RegionId, ISiloBuilder> configure)
    {
        _siloConfigurations.Add(configure ?? throw new ArgumentNullException(nameof(configure)));
        return this;
    }

    /// <summary>
    /// Starts every region and returns the running cluster once every silo holds its region's ownership lease (regions
    /// take writes at once from then on).
    /// </summary>
    /// <exception cref="InvalidTopologyException">The configuration is invalid.</exception>
    /// <exception cref="TimeoutException">The regions started but did not all confirm each other's leases within a minute.</exception>
    /// <exception cref="Azurite.AzuriteNotInstalledException">With <see cref="WithAzureStorage"/>: Azurite is not installed (run <c>npm ci</c> in the repository root).</exception>
    public async Task<GeoTestCluster> StartAsync(CancellationToken cancellationToken = default)
    {
        var cluster = new GeoTestCluster(_topology, _silosPerRegion, new Dictionary<RegionId, int>(_silosOf), _callTimeout, _emulateWan, _azureStorage, [.. _siloConfigurations]);
        try
        {
            await cluster.StartAllAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }
}
