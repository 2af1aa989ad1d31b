using GeoGrains.Configuration;
using System.Diagnostics;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using GeoGrains.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GeoGrains.DevCluster;

/// <summary>
/// Every region of the dev cluster in this process: each a real Orleans cluster of its own silos (own ClusterId, own
/// ports, own storage: an in-memory account, or its own Azurite with <c>--storage azure</c>), one network emulator and
/// meter shared by all, and one client per region.
/// </summary>
internal sealed class LocalGeoCluster : IDevCluster
{
    private static readonly Dictionary<string, string?> QuietLogging = new()
    {
        ["Logging:LogLevel:Default"] = "Error",
        ["Logging:LogLevel:Orleans"] = "Error",
        ["Logging:LogLevel:Microsoft"] = "Error",
        ["Logging:LogLevel:GeoGrains"] = "Warning",
    };

    private readonly List<IHost> _silos = [];
    private readonly Dictionary<RegionId, IHost> _clients = [];
    private RegionAzurites? _azurites;

    private LocalGeoCluster(GeoTopology topology, int silosPerRegion)
    {
        Topology = topology;
        SilosPerRegion = silosPerRegion;
        Network = new WanEmulator(topology, emulateDelays: true);
    }

    public GeoTopology Topology { get; }

    public int SilosPerRegion { get; }

    public WanEmulator Network { get; }

    public LinkMeter Meter { get; } = new();

    public ReplicationMetrics Replication { get; } = new();

    public IClusterClient Client(RegionId region) => _clients[region].Services.GetRequiredService<IClusterClient>();

    public static async Task<LocalGeoCluster> StartAsync(DevClusterOptions options, Action<string> progress, CancellationToken cancellationToken)
    {
        var topology = DevPorts.Topology(options);
        var cluster = new LocalGeoCluster(topology, options.SilosPerRegion);
        try
        {
            if (options.Storage == DevClusterStorage.Azure)
            {
                cluster._azurites = await RegionAzurites.StartAsync(options.Regions, progress, cancellationToken);
                AppDomain.CurrentDomain.UnhandledException += (_, _) => cluster._azurites.KillNow();
            }

            for (var i = 0; i < options.Regions.Count; i++)
            {
                var region = options.Regions[i];
                var storage = new RegionStorageAccount(region);
                for (var j = 0; j < options.SilosPerRegion; j++)
                {
                    var started = Stopwatch.GetTimestamp();
                    progress($"  starting {region} silo {j + 1}/{options.SilosPerRegion} (silo port {DevPorts.Silo(options, i, j)}, gateway {DevPorts.Gateway(options, i, j)})...");
                    string[] args =
                    [
                        "--region", region.Value,
                        "--silo-port", DevPorts.Silo(options, i, j).ToString(),
                        "--gateway-port", DevPorts.Gateway(options, i, j).ToString(),
                        "--primary-silo-port", DevPorts.Silo(options, i, 0).ToString(),
                        "--emulate-wan", "true",
                    ];
                    var overrides = new Dictionary<string, string?>(QuietLogging) { ["Orleans:ServiceId"] = RegionClients.ServiceId };
                    if (cluster._azurites is { } azurites)
                    {
                        // The region's silos cluster through the membership table on its Azurite, as separate processes would.
                        overrides["GeoGrains:Storage:Provider"] = nameof(RegionStorageProvider.AzureTable);
                        overrides["GeoGrains:Storage:ConnectionString"] = azurites[region].ConnectionString;
                    }

                    var silo = RegionSiloHost.CreateBuilder(args, topology, overrides, services =>
                    {
                        services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
                        services.AddSingleton(cluster.Network);
                        services.AddSingleton(cluster.Meter);
                        services.AddSingleton(cluster.Replication);
                        if (cluster._azurites is null)
                        {
                            services.AddSingleton(storage);
                        }
                    }).Build();
                    cluster._silos.Add(silo);
                    await silo.StartAsync(cancellationToken);
                    progress($"  {region} silo {j + 1}/{options.SilosPerRegion} up in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
                }

                using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                connecting.CancelAfter(TimeSpan.FromMinutes(1));
                cluster._clients[region] = await RegionClients.StartAsync(topology, region, connecting.Token);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public Task<IReadOnlyList<PairTraffic>> ReadTrafficAsync(CancellationToken cancellationToken)
    {
        // Every silo of every region shares this process's meters: they hold the totals already.
        IReadOnlyList<PairTraffic> pairs =
        [
            .. from source in Topology.RegionIds
               from target in Topology.RegionIds
               where source != target
               let link = Meter.Get(source, target)
               let changes = Replication.Get(source, target)
               select new PairTraffic(source, target, link.Messages, link.Bytes, changes.ChangesApplied, changes.LastLagMilliseconds, Network.IsCut(source, target)),
        ];
        return Task.FromResult(pairs);
    }

    public async ValueTask DisposeAsync()
    {
        // A silo stops gracefully only while its storage answers (Ctrl+C in a terminal stops the Azurites too); without
        // it Orleans retries its membership table until it is killed, so such a stop is given up after a short while.
        var storageDown = _azurites is { AllRunning: false };
        using var timeout = new CancellationTokenSource(storageDown ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(30));
        var abandoned = 0;
        foreach (var host in _clients.Values.Concat(Enumerable.Reverse(_silos)))
        {
            var stop = host.StopAsync(timeout.Token);
            try
            {
                await stop.WaitAsync(timeout.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                // Shutting down anyway.
            }

            if (stop.IsCompleted)
            {
                host.Dispose();
            }
            else
            {
                // Disposing a host that is still stopping would wait for it; the process is about to end instead.
                abandoned++;
            }
        }

        if (abandoned > 0)
        {
            Console.Error.WriteLine($"{abandoned} silo or client hosts did not stop in time{(storageDown ? " (their storage is down)" : string.Empty)}; exiting without them.");
        }

        if (_azurites is not null)
        {
            await _azurites.DisposeAsync();
        }

        Meter.Dispose();
        Replication.Dispose();
    }
}
