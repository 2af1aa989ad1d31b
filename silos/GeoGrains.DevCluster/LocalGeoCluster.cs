using System.Diagnostics;
using System.Net;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using GeoGrains.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace GeoGrains.DevCluster;

/// <summary>
/// Every region of the dev cluster in this process: each a real Orleans cluster of its own silos (localhost clustering,
/// own ClusterId, own ports, own storage account), one network emulator and meter shared by all, and one client per region.
/// </summary>
internal sealed class LocalGeoCluster : IAsyncDisposable
{
    private const string ServiceId = "geograins-dev";

    private static readonly Dictionary<string, string?> QuietLogging = new()
    {
        ["Logging:LogLevel:Default"] = "Error",
        ["Logging:LogLevel:Orleans"] = "Error",
        ["Logging:LogLevel:Microsoft"] = "Error",
        ["Logging:LogLevel:GeoGrains"] = "Warning",
    };

    private readonly List<IHost> _silos = [];
    private readonly Dictionary<RegionId, IHost> _clients = [];

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
        var topology = GeoTopology.Default.Subset(options.Regions);
        for (var i = 0; i < options.Regions.Count; i++)
        {
            var region = options.Regions[i];
            topology = topology.WithGateways(region, Enumerable.Range(0, options.SilosPerRegion)
                .Select(j => new IPEndPoint(IPAddress.Loopback, GatewayPort(options, i, j))));
        }

        var cluster = new LocalGeoCluster(topology, options.SilosPerRegion);
        try
        {
            for (var i = 0; i < options.Regions.Count; i++)
            {
                var region = options.Regions[i];
                var storage = new RegionStorageAccount(region);
                for (var j = 0; j < options.SilosPerRegion; j++)
                {
                    var started = Stopwatch.GetTimestamp();
                    progress($"  starting {region} silo {j + 1}/{options.SilosPerRegion} (silo port {SiloPort(options, i, j)}, gateway {GatewayPort(options, i, j)})...");
                    string[] args =
                    [
                        "--region", region.Value,
                        "--silo-port", SiloPort(options, i, j).ToString(),
                        "--gateway-port", GatewayPort(options, i, j).ToString(),
                        "--primary-silo-port", SiloPort(options, i, 0).ToString(),
                        "--emulate-wan", "true",
                    ];
                    var overrides = new Dictionary<string, string?>(QuietLogging) { ["Orleans:ServiceId"] = ServiceId };
                    var silo = RegionSiloHost.CreateBuilder(args, topology, overrides, services =>
                    {
                        services.AddSingleton(cluster.Network);
                        services.AddSingleton(cluster.Meter);
                        services.AddSingleton(cluster.Replication);
                        services.AddSingleton(storage);
                    }).Build();
                    cluster._silos.Add(silo);
                    await silo.StartAsync(cancellationToken);
                    progress($"  {region} silo {j + 1}/{options.SilosPerRegion} up in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
                }

                var client = new HostBuilder()
                    .UseOrleansClient(c => c
                        .UseStaticClustering([.. topology[region].Gateways])
                        .Configure<ClusterOptions>(o =>
                        {
                            o.ClusterId = topology[region].ClusterId;
                            o.ServiceId = ServiceId;
                        }))
                    .Build();
                cluster._clients[region] = client;
                await client.StartAsync(cancellationToken);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static int SiloPort(DevClusterOptions options, int region, int silo) => options.BasePort + region * 100 + silo;

    private static int GatewayPort(DevClusterOptions options, int region, int silo) => options.BasePort + region * 100 + 50 + silo;

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (var host in _clients.Values.Concat(Enumerable.Reverse(_silos)))
        {
            try
            {
                await host.StopAsync(timeout.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                // Shutting down anyway: a host that cannot stop in time is disposed as it is.
            }

            host.Dispose();
        }

        Meter.Dispose();
        Replication.Dispose();
    }
}
