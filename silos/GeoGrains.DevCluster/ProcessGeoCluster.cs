using System.Diagnostics;
using System.Text.Json;
using GeoGrains.Runtime.Topology;
using GeoGrains.Silo.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;

namespace GeoGrains.DevCluster;

/// <summary>
/// Every silo of the dev cluster as its own OS process (<c>dotnet GeoGrains.Silo.dll</c>), each region on its own
/// Azurite: a region's silo processes find each other in the membership table of its account. The dev cluster reaches
/// the regions only as any client would, through their gateways.
/// </summary>
internal sealed class ProcessGeoCluster : IDevCluster
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly Dictionary<RegionId, IHost> _clients = [];
    private readonly string _workDirectory;
    private SiloSupervisor? _supervisor;
    private RegionAzurites? _azurites;

    private ProcessGeoCluster(GeoTopology topology, int silosPerRegion, string workDirectory)
    {
        Topology = topology;
        SilosPerRegion = silosPerRegion;
        _workDirectory = workDirectory;
    }

    public GeoTopology Topology { get; }

    public int SilosPerRegion { get; }

    public IClusterClient Client(RegionId region) => _clients[region].Services.GetRequiredService<IClusterClient>();

    public static async Task<ProcessGeoCluster> StartAsync(DevClusterOptions options, Action<string> progress, CancellationToken cancellationToken)
    {
        var topology = DevPorts.Topology(options);
        var work = Directory.CreateTempSubdirectory("geograins-dev-").FullName;
        var cluster = new ProcessGeoCluster(topology, options.SilosPerRegion, work);
        try
        {
            var topologyFile = Path.Combine(work, "topology.json");
            await File.WriteAllTextAsync(topologyFile, JsonSerializer.Serialize(topology.ToOptions()), cancellationToken);
            cluster._azurites = await RegionAzurites.StartAsync(options.Regions, progress, cancellationToken);
            AppDomain.CurrentDomain.UnhandledException += (_, _) => cluster._azurites.KillNow();
            cluster._supervisor = new SiloSupervisor(Path.Combine(AppContext.BaseDirectory, "GeoGrains.Silo.dll"));
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < options.Regions.Count; i++)
            {
                var region = options.Regions[i];
                for (var j = 0; j < options.SilosPerRegion; j++)
                {
                    var pid = cluster._supervisor.Start($"{region}/{j + 1}",
                    [
                        "--region", region.Value,
                        "--silo-port", DevPorts.Silo(options, i, j).ToString(),
                        "--gateway-port", DevPorts.Gateway(options, i, j).ToString(),
                        "--topology-file", topologyFile,
                        "--storage", "azure",
                        "--storage-connection-string", cluster._azurites[region].ConnectionString,
                        "--emulate-wan", "true",
                        "--Orleans:ServiceId", RegionClients.ServiceId,
                        "--Logging:LogLevel:Default", "Error",
                        "--Logging:LogLevel:Orleans", "Error",
                        "--Logging:LogLevel:Microsoft", "Error",
                        "--Logging:LogLevel:GeoGrains", "Warning",

                        // The change feed's in-memory stream agents log their cancelled reads when a silo stops.
                        "--Logging:LogLevel:Orleans.Streams", "Critical",
                        "--Logging:LogLevel:Orleans.Providers", "Critical",
                    ]);
                    progress($"  {region} silo {j + 1}/{options.SilosPerRegion}: process {pid} (silo port {DevPorts.Silo(options, i, j)}, gateway {DevPorts.Gateway(options, i, j)})");
                }
            }

            // The processes start side by side; a region is up when its client connects and every one of its silos is active.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(StartTimeout);
            var up = Task.WhenAll(options.Regions.Select(async region =>
            {
                var client = await RegionClients.StartAsync(topology, region, deadline.Token);
                lock (cluster._clients)
                {
                    cluster._clients[region] = client;
                }

                await cluster.WaitForSilosAsync(region, deadline.Token);
                progress($"  {region}: {options.SilosPerRegion}/{options.SilosPerRegion} silo processes active after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
            }));
            var failed = cluster._supervisor.FirstUnexpectedExit;
            if (await Task.WhenAny(up, failed) == failed)
            {
                // Let the waits for the other regions end before everything is disposed.
                await deadline.CancelAsync();
                await up.ContinueWith(_ => { }, TaskScheduler.Default);
                throw new IOException($"A silo process failed to start: {await failed}.");
            }

            try
            {
                await up;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The silo processes did not all become active within {StartTimeout.TotalMinutes:0} minutes.");
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async Task<IReadOnlyList<PairTraffic>> ReadTrafficAsync(CancellationToken cancellationToken)
    {
        // Each process counts what its own silos sent and applied; the region pair's totals are the sum over all silos.
        var silos = await Task.WhenAll(Topology.RegionIds.Select(async region =>
        {
            try
            {
                var client = Client(region);
                var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(ReadTimeout, cancellationToken);
                // One slow or dying silo must not hide the counters of the region's others.
                var read = await Task.WhenAll(hosts.Keys.Select(async silo =>
                {
                    try
                    {
                        return await client.GetGrain<ISiloMetricsGrain>(silo.ToParsableString()).Read().WaitAsync(ReadTimeout, cancellationToken);
                    }
                    catch (Exception exception) when (exception is TimeoutException or OrleansException)
                    {
                        return null;
                    }
                }));
                return read.OfType<SiloMetrics>().ToArray();
            }
            catch (Exception exception) when (exception is TimeoutException or OrleansException)
            {
                // An unreachable region has no counters to show; the live view reports it unreachable.
                return [];
            }
        }));

        return [.. silos.SelectMany(s => s).SelectMany(m => m.Pairs)
            .GroupBy(p => (p.From, p.To))
            .Select(g => new PairTraffic(
                g.Key.From,
                g.Key.To,
                g.Sum(p => p.Messages),
                g.Sum(p => p.Bytes),
                g.Sum(p => p.ChangesApplied),
                g.Max(p => p.LastLagMilliseconds),
                Cut: false))];
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (var client in _clients.Values)
        {
            try
            {
                await client.StopAsync(timeout.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or OrleansException)
            {
                // Shutting down anyway.
            }

            client.Dispose();
        }

        if (_supervisor is not null)
        {
            // A silo stops gracefully only while its membership table answers; without it, it would retry until killed.
            var storageUp = _azurites?.AllRunning ?? false;
            if (!storageUp)
            {
                Console.Error.WriteLine("[supervisor] region storage is down already; killing the silo processes instead of stopping them gracefully.");
            }

            await _supervisor.StopAllAsync(graceful: storageUp);
            await _supervisor.DisposeAsync();
        }

        if (_azurites is not null)
        {
            await _azurites.DisposeAsync();
        }

        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private async Task WaitForSilosAsync(RegionId region, CancellationToken cancellationToken)
    {
        var management = Client(region).GetGrain<IManagementGrain>(0);
        while (true)
        {
            try
            {
                if ((await management.GetHosts(onlyActive: true)).Count >= SilosPerRegion)
                {
                    return;
                }
            }
            catch (OrleansException)
            {
                // The gateway's silo is still joining.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }
}
