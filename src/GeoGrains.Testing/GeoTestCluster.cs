using GeoGrains.Configuration;
using System.Collections.Frozen;
using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Testing.Azurite;
using Orleans.Serialization;
using GeoGrains.Runtime.Topology;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace GeoGrains.Testing;

/// <summary>
/// Several GeoGrains regions running in this process, each a real Orleans cluster on TestingHost with its own
/// ClusterId, silos, ports and storage (an in-memory account, or its own Azurite with
/// <see cref="GeoTestClusterBuilder.WithAzureStorage"/>), linked by an emulated WAN. Fault injection: <see cref="Partition"/>,
/// <see cref="Isolate"/>, <see cref="Heal()"/>, <see cref="KillRegionAsync"/>, <see cref="RestartRegionAsync"/>,
/// <see cref="WipeRegionStorage"/>, <see cref="GeoTestRegion.StopStorageAsync"/>. Build one with
/// <see cref="GeoTestClusterBuilder"/>; start it once per test class or collection.
/// </summary>
public sealed class GeoTestCluster : IAsyncDisposable
{
    private static readonly Orleans.Serialization.Serializer InspectionSerializer =
        new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddSerializer().BuildServiceProvider()
            .GetRequiredService<Orleans.Serialization.Serializer>();

    private readonly string _instance = Guid.NewGuid().ToString("N")[..8];
    private readonly string _serviceId;
    private readonly int _silosPerRegion;
    private readonly IReadOnlyDictionary<RegionId, int> _silosOf;
    private readonly TimeSpan _callTimeout;
    private readonly IReadOnlyList<Action<RegionId, ISiloBuilder>> _siloConfigurations;
    private readonly FrozenDictionary<RegionId, GeoTestRegion> _regions;
    private readonly bool _azureStorage;

    // The cluster's own inspection reads go through tables of their own, counted apart from the silos'.
    private readonly RegionStorageMetrics _inspectionMetrics = new();

    internal GeoTestCluster(
        GeoTopology topology,
        int silosPerRegion,
        IReadOnlyDictionary<RegionId, int> silosOf,
        TimeSpan callTimeout,
        bool emulateWan,
        bool azureStorage,
        IReadOnlyList<Action<RegionId, ISiloBuilder>> siloConfigurations)
    {
        _azureStorage = azureStorage;
        _serviceId = $"geograins-test-{_instance}";
        _silosPerRegion = silosPerRegion;
        _silosOf = silosOf;
        foreach (var region in silosOf.Keys)
        {
            _ = topology[region];
        }
        _callTimeout = callTimeout;
        _siloConfigurations = siloConfigurations;

        var regions = new Dictionary<RegionId, GeoTestRegion>();
        var portAllocator = new TestClusterPortAllocator();
        foreach (var region in topology.Regions)
        {
            // Room for silos added or restarted later; each region's ports stay fixed so other regions find it again.
            var silos = SilosOf(region.Id);
            var (siloPort, gatewayPort) = portAllocator.AllocateConsecutivePortPairs(silos + 2);
            var account = azureStorage ? null : new RegionStorageAccount(region.Id);
            regions[region.Id] = new GeoTestRegion(region.Id, $"geo-{region.Id}-{_instance}", siloPort, gatewayPort, account);
            if (account is not null)
            {
                regions[region.Id].Store = InspectionStore(new MemoryRegionTable(account, _inspectionMetrics));
            }

            topology = topology.WithGateways(
                region.Id,
                Enumerable.Range(0, silos).Select(i => new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, gatewayPort + i)),
                regions[region.Id].ClusterId);
        }

        _regions = regions.ToFrozenDictionary();
        Topology = topology;
        Network = new WanEmulator(topology, emulateWan);
        Meter = new LinkMeter();
    }

    /// <summary>The topology, with the gateways and cluster ids the test cluster assigned.</summary>
    public GeoTopology Topology { get; }

    /// <summary>The Orleans <c>ServiceId</c> every region's cluster uses (clients outside the process need it).</summary>
    public string ServiceId => _serviceId;

    /// <summary>The emulated network between the regions: delays, partitions, loss.</summary>
    public WanEmulator Network { get; }

    /// <summary>Messages and bytes sent between regions.</summary>
    public LinkMeter Meter { get; }

    /// <summary>Storage round trips per region, shared by every silo (the cluster's own inspection reads are not counted).</summary>
    public RegionStorageMetrics StorageMetrics { get; } = new();

    /// <summary>Replication counters and lag per region pair, shared by every silo.</summary>
    public ReplicationMetrics Replication { get; } = new();

    /// <summary>The region ids, in topology order.</summary>
    public IReadOnlyList<RegionId> Regions => [.. Topology.RegionIds];

    /// <summary>Gets a region.</summary>
    /// <exception cref="UnknownRegionException">The region is not part of this cluster.</exception>
    public GeoTestRegion this[RegionId region] =>
        _regions.TryGetValue(region, out var r) ? r : throw new UnknownRegionException(region, Topology.RegionIds);

    /// <summary>A client connected to <paramref name="region"/>'s gateways.</summary>
    public IClusterClient Client(RegionId region) => this[region].Client;

    /// <summary>
    /// Starts a region-aware client (<c>UseGeoGrainsClient</c>) with every region of this cluster, placed in
    /// <paramref name="placedIn"/>: its probes and calls take the emulator's one-way delay from that region both ways
    /// (<see cref="WanEmulator.EmulateDelays"/>), links the emulator cuts refuse them, and a killed region's gateways
    /// refuse connections for real. <paramref name="configure"/> may change any setting (preferred regions, timings).
    /// </summary>
    /// <exception cref="UnknownRegionException"><paramref name="placedIn"/> is not part of this cluster.</exception>
    public async Task<RegionAwareTestClient> CreateRegionAwareClientAsync(
        RegionId placedIn,
        Action<GeoGrains.Client.GeoGrainsClientOptions>? configure = null,
        CancellationToken cancellationToken = default)
    {
        _ = this[placedIn];
        var emulation = new GeoGrains.Client.Regions.ClientLinkEmulation(
            target => Network.EmulateDelays ? Topology.OneWayDelay(placedIn, target) : TimeSpan.Zero,
            target => target != placedIn && (Network.IsCut(placedIn, target) || Network.IsCut(target, placedIn))
                ? $"the emulator cuts {placedIn} from {target}"
                : null);
        var host = new Microsoft.Extensions.Hosting.HostBuilder()
            .UseGeoGrainsClient(options =>
            {
                options.ServiceId = _serviceId;
                foreach (var region in Topology.Regions)
                {
                    options.Regions.Add(new GeoGrains.Client.GeoClientRegionOptions
                    {
                        Name = region.Id.Value,
                        ClusterId = region.ClusterId,
                        Gateways = [.. region.Gateways.Select(g => g.ToString())],
                    });
                }

                configure?.Invoke(options);
            })
            .ConfigureServices(services => services.AddSingleton(emulation))
            .Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new RegionAwareTestClient(placedIn, host);
    }

    /// <summary>Cuts both directions between two regions.</summary>
    public void Partition(RegionId a, RegionId b) => Network.Partition(a, b);

    /// <summary>Cuts every link of <paramref name="region"/>.</summary>
    public void Isolate(RegionId region) => Network.Isolate(region);

    /// <summary>Restores every link.</summary>
    public void Heal() => Network.Heal();

    /// <summary>Restores the links between two regions.</summary>
    public void Heal(RegionId a, RegionId b) => Network.Heal(a, b);

    /// <summary>
    /// Stops every silo of <paramref name="region"/> abruptly, as a crash would, and its client. The region's storage
    /// account keeps its data.
    /// </summary>
    public async Task KillRegionAsync(RegionId region)
    {
        var target = this[region];
        if (target.Cluster is not { } cluster)
        {
            return;
        }

        target.Cluster = null;
        foreach (var silo in cluster.Silos.ToList())
        {
            await cluster.KillSiloAsync(silo);
        }

        await cluster.KillClientAsync();
        await cluster.DisposeAsync();
    }

    /// <summary>
    /// Stops one silo of <paramref name="region"/> abruptly, as a crash would (<see cref="TestCluster.KillSiloAsync(SiloHandle)"/>);
    /// the region's other silos and its storage go on. <paramref name="silo"/> is the silo's address as
    /// <c>SiloAddress.ToString()</c> gives it (e.g. <see cref="RegionHealthView.Silo"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The region is not running, no running silo of it has that address, or it is the region's primary silo: the test
    /// cluster's membership table lives there, so the region could no longer tell that a silo died.
    /// </exception>
    public async Task KillSiloAsync(RegionId region, string silo)
    {
        var cluster = this[region].Cluster ?? throw new InvalidOperationException($"Region '{region}' is not running.");
        var handle = cluster.Silos.FirstOrDefault(s => s.SiloAddress.ToString() == silo)
            ?? throw new InvalidOperationException($"Region '{region}' has no running silo {silo}.");
        if (handle == cluster.Primary)
        {
            throw new InvalidOperationException($"Silo {silo} is region '{region}''s primary silo, which holds the test cluster's membership table; kill another one.");
        }

        await cluster.KillSiloAsync(handle);
    }

    /// <summary>Starts <paramref name="region"/> again after <see cref="KillRegionAsync"/>, on the same endpoints and storage account.</summary>
    /// <exception cref="InvalidOperationException">The region is running.</exception>
    public async Task RestartRegionAsync(RegionId region, CancellationToken cancellationToken = default)
    {
        var target = this[region];
        if (target.IsRunning)
        {
            throw new InvalidOperationException($"Region '{region}' is running; kill it before restarting it.");
        }

        await StartRegionAsync(target, cancellationToken);
    }

    /// <summary>
    /// Waits until every change acknowledged in any region has been acknowledged by every other region (every outbox is
    /// empty), so that the links carry no replication traffic. Fails with <see cref="TimeoutException"/> otherwise.
    /// </summary>
    public async Task WaitForReplicationAsync(TimeSpan timeout)
    {
        var deadline = DeadlineAfter(timeout);
        foreach (var region in _regions.Values)
        {
            await PollUntilAsync(
                async () => await region.CountPendingChangesAsync() == 0, deadline, () => $"Region '{region.Id}' still has changes to ship after {timeout}.");
        }
    }

    /// <summary>Deletes everything in <paramref name="region"/>'s in-memory storage account, as losing the account would.</summary>
    /// <exception cref="InvalidOperationException">The region keeps its data in Azurite.</exception>
    public void WipeRegionStorage(RegionId region) => this[region].Storage.Wipe();

    internal async Task StartAllAsync(CancellationToken cancellationToken)
    {
        GeoTestSiloConfigurator.Register(_instance, this);
        if (_azureStorage)
        {
            await Task.WhenAll(_regions.Values.Select(r => StartAzuriteAsync(r, cancellationToken)));
        }

        await Task.WhenAll(_regions.Values.Select(r => StartRegionAsync(r, cancellationToken)));
        await WaitUntilLeasedAsync(cancellationToken);
    }

    /// <summary>
    /// Waits until every silo of every region holds its region's ownership lease, so that a test's first write runs at
    /// once rather than waiting (up to <c>FailoverOptions.QueuedWriteTimeout</c>, as long as a caller's response timeout)
    /// for the regions to finish confirming each other's leases. Always true with fewer than three regions.
    /// </summary>
    private async Task WaitUntilLeasedAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(60);
        var silos = _regions.Values
            .Where(r => r.Cluster is not null)
            .SelectMany(r => r.Cluster!.Silos.OfType<InProcessSiloHandle>().Select(s => (Name: $"{r.Id} ({s.SiloAddress})", Failover: s.ServiceProvider.GetRequiredService<FailoverState>())))
            .ToList();
        await PollUntilAsync(
            () => ValueTask.FromResult(silos.All(s => s.Failover.HoldsLease)),
            DeadlineAfter(timeout),
            () => $"The regions started, but these silos did not hold their region's ownership lease within {timeout}: {string.Join(", ", silos.Where(s => !s.Failover.HoldsLease).Select(s => s.Name))}.",
            cancellationToken);
    }

    private int SilosOf(RegionId region) => _silosOf.TryGetValue(region, out var silos) ? silos : _silosPerRegion;

    private static long DeadlineAfter(TimeSpan timeout) => TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);

    // Checks every 20 ms until done holds; past the deadline, fails with a TimeoutException saying what did not happen.
    private static async Task PollUntilAsync(Func<ValueTask<bool>> done, long deadline, Func<string> timedOut, CancellationToken cancellationToken = default)
    {
        while (!await done())
        {
            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException(timedOut());
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    private async Task StartAzuriteAsync(GeoTestRegion region, CancellationToken cancellationToken)
    {
        region.Azurite = await AzuriteProcess.StartNewAsync(cancellationToken: cancellationToken);
        var options = new RegionStorageOptions();
        var table = new AzureRegionTable(
            region.Id, new TableServiceClient(region.Azurite.ConnectionString, AzureTableSettings.ClientOptions()), options.TableName, _inspectionMetrics);
        await table.InitializeAsync(cancellationToken);
        region.Store = InspectionStore(table);
    }

    private static GeoStore InspectionStore(IRegionTable table) => new(table, InspectionSerializer, new RegionStorageOptions().Partitions);

    internal void ConfigureSilo(RegionId region, ISiloBuilder silo)
    {
        var azurite = this[region].Azurite;
        silo.AddGeoGrains(options =>
        {
            if (azurite is not null)
            {
                options.Storage.Provider = RegionStorageProvider.AzureTable;
                options.Storage.ConnectionString = azurite.ConnectionString;
            }

            options.Region = region.Value;
            options.Topology = Topology.ToOptions();
            options.Links.CallTimeout = _callTimeout;
            options.Links.ConnectTimeout = _callTimeout;
            options.Links.EmulateWan = Network.EmulateDelays;
        });
        silo.AddRegionGrainStorageAsDefault();
        silo.Services.AddSingleton(Network);
        silo.Services.AddSingleton(Meter);
        silo.Services.AddSingleton(Replication);
        silo.Services.AddSingleton(StorageMetrics);
        if (azurite is null)
        {
            silo.Services.AddSingleton(this[region].Storage);
        }

        foreach (var configure in _siloConfigurations)
        {
            configure(region, silo);
        }
    }

    private async Task StartRegionAsync(GeoTestRegion region, CancellationToken cancellationToken)
    {
        var builder = new TestClusterBuilder((short)SilosOf(region.Id));
        builder.Options.ClusterId = region.ClusterId;
        builder.Options.ServiceId = _serviceId;
        builder.Options.BaseSiloPort = region.BaseSiloPort;
        builder.Options.BaseGatewayPort = region.BaseGatewayPort;
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Options.ConfigureFileLogging = false;
        builder.Properties[GeoTestSiloConfigurator.InstanceKey] = _instance;
        builder.Properties[GeoTestSiloConfigurator.RegionKey] = region.Id.Value;
        builder.AddSiloBuilderConfigurator<GeoTestSiloConfigurator>();
        builder.AddClientBuilderConfigurator<GeoTestClientConfigurator>();

        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync().WaitAsync(cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        region.Cluster = cluster;
    }

    /// <summary>Stops every region, then every region's Azurite.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Task.WhenAll(_regions.Values.Select(async region =>
            {
                if (region.Cluster is { } cluster)
                {
                    region.Cluster = null;
                    await cluster.DisposeAsync();
                }
            }));
        }
        finally
        {
            await Task.WhenAll(_regions.Values.Select(async region =>
            {
                if (region.Azurite is { } azurite)
                {
                    await azurite.DisposeAsync();
                }
            }));
            GeoTestSiloConfigurator.Unregister(_instance);
            _inspectionMetrics.Dispose();
            Meter.Dispose();
            Replication.Dispose();
            StorageMetrics.Dispose();
        }
    }
}
