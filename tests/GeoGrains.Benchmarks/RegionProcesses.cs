using GeoGrains.Configuration;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using GeoGrains.Runtime.Topology;
using GeoGrains.Silo;
using GeoGrains.Silo.Diagnostics;
using GeoGrains.Testing;
using GeoGrains.Testing.Azurite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;

namespace GeoGrains.Benchmarks;

/// <summary>
/// Regions as a deployment has them, as far as one machine allows: each region's silo is its own process (this program
/// with <c>--silo</c>, so that it hosts the benchmark's grains) on its own Azurite, and each region, silo and Azurite,
/// is pinned to a core of its own, so that one region's work does not run on the other's CPU. The clients (this process)
/// run on the last region's core, and every region but the first runs at the lowest CPU priority there: the first
/// region, the one measured, and its clients get their CPU as if each had a machine of its own.
/// </summary>
internal sealed class RegionProcesses : IAsyncDisposable
{
    public const string SiloSwitch = "--silo";
    private const string ServiceId = "geograins-bench";
    private static readonly TimeSpan QuietTimeout = TimeSpan.FromSeconds(120);

    private readonly Dictionary<RegionId, Region> _regions = [];
    private readonly string _work = Directory.CreateTempSubdirectory("geograins-bench-regions-").FullName;

    private RegionProcesses()
    {
    }

    public IReadOnlyCollection<RegionId> Regions => _regions.Keys;

    public IClusterClient Client(RegionId region) => _regions[region].Client!.Services.GetRequiredService<IClusterClient>();

    /// <summary>Runs one silo of a region in this process: the <c>--silo</c> mode the benchmark starts its regions with.</summary>
    public static async Task<int> RunSiloAsync(string[] args)
    {
        using var host = RegionSiloHost.CreateBuilder(args).Build();
        await host.RunAsync();
        return 0;
    }

    /// <summary>Starts each region on its own core, in the order given: the first on core 0, the next on core 1, and so on.</summary>
    public static async Task<RegionProcesses> StartAsync(IReadOnlyList<RegionId> regions)
    {
        if (Environment.ProcessorCount < regions.Count || !OperatingSystem.IsLinux())
        {
            throw new InvalidOperationException($"Regions on cores of their own need Linux and a core per region; this machine has {Environment.ProcessorCount} cores.");
        }

        var cluster = new RegionProcesses();
        try
        {
            var topology = GeoTopology.Default.Subset(regions);
            var ports = regions.ToDictionary(r => r, _ => (Silo: LoopbackPort.Free(), Gateway: LoopbackPort.Free()));
            foreach (var region in regions)
            {
                topology = topology.WithGateways(region, [new IPEndPoint(IPAddress.Loopback, ports[region].Gateway)]);
            }

            var topologyFile = Path.Combine(cluster._work, "topology.json");
            await File.WriteAllTextAsync(topologyFile, JsonSerializer.Serialize(topology.ToOptions()));
            for (var core = 0; core < regions.Count; core++)
            {
                var region = regions[core];
                var azurite = await AzuriteProcess.StartNewAsync(Path.Combine(cluster._work, $"azurite-{region}"));
                var entry = new Region(region, core, azurite);
                cluster._regions[region] = entry;
                Pin(azurite.ProcessId ?? throw new InvalidOperationException($"The Azurite of {region} exited at start."), $"{core}");
                entry.Silo = SiloProcess(region, core, ports[region].Silo, ports[region].Gateway, azurite.ConnectionString, topologyFile);
            }

            foreach (var region in regions)
            {
                await cluster.ConnectAsync(region, topology[region].ClusterId, ports[region].Gateway);
            }

            // Only once every region is up (a starved silo would start slowly): the clients move to the last core, where
            // the other regions yield to them.
            foreach (var region in cluster._regions.Values.Where(r => r.Core > 0))
            {
                ProcessCpu.LowestPriority(region.Azurite.ProcessId);
                ProcessCpu.LowestPriority(region.Silo!.Id);
            }

            Pin(Environment.ProcessId, $"{regions.Count - 1}");

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>CPU used so far by each region's silo process and Azurite, and by this process (the clients).</summary>
    public RegionsCpu Cpu() => new(
        _regions.Values.ToDictionary(r => r.Id, r => new RegionCpu(ProcessCpu.Of(r.Silo?.Id), ProcessCpu.Of(r.Azurite.ProcessId))),
        ProcessCpu.Self());

    /// <summary>
    /// Waits until every region acknowledged every change (returning how long that took), then until every outbox marker
    /// is deleted, so that what a write leaves to do is done before the next window. Reads the silos' own counters, not
    /// the storage.
    /// </summary>
    public async Task<TimeSpan> WaitForOutboxAsync()
    {
        var waited = Stopwatch.StartNew();
        TimeSpan? acknowledged = null;
        while (true)
        {
            var metrics = new List<SiloMetrics>();
            foreach (var region in _regions.Keys)
            {
                var client = Client(region);
                foreach (var silo in (await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Keys)
                {
                    metrics.Add(await client.GetGrain<ISiloMetricsGrain>(silo.ToParsableString()).Read());
                }
            }

            if (acknowledged is null && metrics.All(m => m.Unacknowledged == 0))
            {
                acknowledged = waited.Elapsed;
            }

            if (acknowledged is { } drained && metrics.All(m => m.OutboxMarkers == 0))
            {
                return drained;
            }

            if (waited.Elapsed > QuietTimeout)
            {
                throw new TimeoutException(
                    $"After {QuietTimeout}, {metrics.Sum(m => m.Unacknowledged)} changes are unacknowledged and {metrics.Sum(m => m.OutboxMarkers)} outbox markers not deleted.\n{Output}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    /// <summary>Rows in Orleans' grain state table on the region's Azurite: where the plain grains' state went.</summary>
    public async Task<int> GrainStateRowsAsync(RegionId region)
    {
        var table = new TableServiceClient(_regions[region].Azurite.ConnectionString).GetTableClient(new RegionStorageOptions().GrainStateTableName);
        var rows = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            rows++;
        }

        return rows;
    }

    public string Output => string.Join("\n", _regions.Values.Select(r => $"--- {r.Id} silo (core {r.Core}) ---\n{r.Silo?.Output}"));

    public async ValueTask DisposeAsync()
    {
        // What runs after this (other scenarios) gets every core again.
        Pin(Environment.ProcessId, $"0-{Environment.ProcessorCount - 1}");
        foreach (var region in _regions.Values)
        {
            if (region.Client is { } client)
            {
                await client.StopAsync(CancellationToken.None).ContinueWith(_ => { });
                client.Dispose();
            }
        }

        foreach (var region in _regions.Values)
        {
            if (region.Silo is { } silo)
            {
                await silo.DisposeAsync();
            }

            await region.Azurite.DisposeAsync();
        }

        Directory.Delete(_work, recursive: true);
    }

    private static ChildProcess SiloProcess(RegionId region, int core, int siloPort, int gatewayPort, string connectionString, string topologyFile) =>
        // taskset execs dotnet, so the process started is the silo itself, on its core from its first instruction. Its
        // output is kept to say why a silo failed; a long run must not grow it without bound.
        ChildProcess.Start(
            "taskset",
            [
                "-c", core.ToString(CultureInfo.InvariantCulture), "dotnet", typeof(RegionProcesses).Assembly.Location, SiloSwitch,
                "--region", region.Value, "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}",
                "--storage", "azure", "--storage-connection-string", connectionString, "--topology-file", topologyFile,
                "--exit-when-stdin-closes", "true", "--Orleans:ServiceId", ServiceId, "--Logging:LogLevel:Default", "Warning",
            ],
            keep: 64 * 1024);

    /// <summary>Pins every thread of a running process to the cores listed (e.g. "1", "0-1"); threads it starts later inherit that.</summary>
    private static void Pin(int pid, string cores)
    {
        using var taskset = Process.Start(new ProcessStartInfo("taskset", ["-a", "-p", "-c", cores, pid.ToString(CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("taskset did not start.");
        var error = taskset.StandardError.ReadToEnd();
        taskset.WaitForExit();
        if (taskset.ExitCode != 0)
        {
            throw new InvalidOperationException($"taskset could not pin process {pid} to cores {cores}: {error}");
        }
    }

    private async Task ConnectAsync(RegionId region, string clusterId, int gatewayPort)
    {
        var entry = _regions[region];
        entry.Client = new HostBuilder()
            .UseOrleansClient(c => c
                .UseStaticClustering([new IPEndPoint(IPAddress.Loopback, gatewayPort)])
                .Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = ServiceId;
                })
                .UseConnectionRetryFilter((_, _) => Task.FromResult(entry.Silo is { HasExited: false })))
            .Build();
        using var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await entry.Client.StartAsync(connecting.Token);
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException($"No client could connect to the silo of {region}.\n{Output}", exception);
        }
    }

    private sealed class Region(RegionId id, int core, AzuriteProcess azurite)
    {
        public RegionId Id { get; } = id;

        public int Core { get; } = core;

        public AzuriteProcess Azurite { get; } = azurite;

        public ChildProcess? Silo { get; set; }

        public IHost? Client { get; set; }
    }
}

/// <summary>CPU used so far by one region: its silo process and its Azurite.</summary>
internal readonly record struct RegionCpu(TimeSpan Silo, TimeSpan Storage)
{
    public static RegionCpu operator -(RegionCpu a, RegionCpu b) => new(a.Silo - b.Silo, a.Storage - b.Storage);
}

/// <summary>CPU used so far by each region and by the clients.</summary>
internal sealed record RegionsCpu(IReadOnlyDictionary<RegionId, RegionCpu> Regions, TimeSpan Clients)
{
    public static RegionsCpu operator -(RegionsCpu a, RegionsCpu b) =>
        new(a.Regions.ToDictionary(r => r.Key, r => r.Value - b.Regions[r.Key]), a.Clients - b.Clients);
}
