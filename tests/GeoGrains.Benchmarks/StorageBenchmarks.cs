using GeoGrains.Configuration;
using System.Diagnostics;
using Azure.Data.Tables;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using Orleans.Storage;
using Orleans.TestingHost;

namespace GeoGrains.Benchmarks;

/// <summary>
/// The storage scenarios' regions (one Azurite per region, or in-memory accounts) and the comparisons against plain
/// Orleans on the same account: home-region write latency and throughput, warm replica reads against a plain grain's
/// in-memory read; with what the other storage scenarios share (waiting for quiet outboxes and an idle Azurite, timing).
/// </summary>
internal static class StorageBenchmarks
{
    public static readonly RegionId Home = "us-east";
    public static readonly RegionId Replica = "eu-west";

    private static readonly TimeSpan QuietTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Two regions: <see cref="Home"/> takes the writes, <see cref="Replica"/> holds replicas; or <see cref="Home"/> alone.</summary>
    public static Task<GeoTestCluster> StartAsync(bool azure, Action<GeoGrainsOptions>? configure = null, bool homeOnly = false)
    {
        var builder = new GeoTestClusterBuilder().WithRegions(homeOnly ? [Home] : [Home, Replica]);
        if (azure)
        {
            builder.WithAzureStorage();
        }

        if (configure is not null)
        {
            builder.ConfigureSilo((_, silo) => silo.Services.PostConfigure(configure));
        }

        return builder.StartAsync();
    }

    /// <summary>
    /// The grain storage a plain grain of <paramref name="region"/> gets from <c>AddRegionGrainStorageAsDefault</c>, and
    /// how many rows Orleans' grain state table holds in the region's Azurite.
    /// </summary>
    public static async Task<PlainStorage> PlainStorageAsync(GeoTestCluster geo, RegionId region)
    {
        var storage = Services(geo, region).GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME);
        var azurite = geo[region].Azurite ?? throw new InvalidOperationException($"Region '{region}' has no Azurite.");
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(new RegionStorageOptions().GrainStateTableName);
        var rows = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            rows++;
        }

        return new PlainStorage(storage.GetType().FullName ?? storage.GetType().Name, rows);
    }

    /// <summary>Sequential writes from a client in the home region, 100 grains: a geo grain against a plain grain on the same account.</summary>
    public static async Task<Comparison> WriteLatencyAsync(GeoTestCluster geo, StorageRequestMeter requests, int samples, int warmUp, int rounds)
    {
        var client = geo.Client(Home);
        return await CompareSequentialAsync(
            geo,
            requests,
            samples,
            warmUp,
            rounds,
            i => client.GetGrain<IPlainProfileGrain>($"{Home}/lat-{i % 100}").Visit(),
            i => client.GetGrain<IBenchProfileGrain>($"{Home}/lat-{i % 100}").Visit());
    }

    /// <summary>
    /// Sequential writes from a client in the home region, 100 geo grains: without an idempotency key (as "plain") against
    /// the same write with a new key each (<c>GeoContext.Idempotent</c>), which also records the method's result in the record.
    /// </summary>
    public static async Task<Comparison> KeyedWriteLatencyAsync(GeoTestCluster geo, StorageRequestMeter requests, int samples, int warmUp, int rounds)
    {
        var client = geo.Client(Home);
        return await CompareSequentialAsync(
            geo,
            requests,
            samples,
            warmUp,
            rounds,
            async i =>
            {
                // A scope as well, so that both report what served them (GeoCallInfo) and differ only by the key.
                using var scope = GeoContext.Use();
                await client.GetGrain<IBenchProfileGrain>($"{Home}/idem-{i % 100}").Visit();
            },
            async i =>
            {
                using var key = GeoContext.Idempotent(Guid.NewGuid().ToString());
                await client.GetGrain<IBenchProfileGrain>($"{Home}/idem-{i % 100}").Visit();
            });
    }

    /// <summary>
    /// Sequential <c>[ReadOnly]</c> calls from a client in the replica region to warm replicas of 100 geo grains homed in
    /// <see cref="Home"/>, against calls to 100 warm plain grains of the replica region returning their in-memory state.
    /// </summary>
    public static async Task<Comparison> WarmReadAsync(GeoTestCluster geo, StorageRequestMeter requests, int samples, int warmUp, int rounds)
    {
        var home = geo.Client(Home);
        var reader = geo.Client(Replica);
        for (var i = 0; i < 100; i++)
        {
            await home.GetGrain<IBenchProfileGrain>($"{Home}/read-{i}").Visit();
            await reader.GetGrain<IPlainProfileGrain>($"{Replica}/read-{i}").Visit();
        }

        await WaitForOutboxAsync(geo);
        var result = await CompareSequentialAsync(
            geo,
            requests,
            samples,
            warmUp,
            rounds,
            i => reader.GetGrain<IPlainProfileGrain>($"{Replica}/read-{i % 100}").Visits(),
            i => reader.GetGrain<IBenchProfileGrain>($"{Home}/read-{i % 100}").Visits());

        // The replicas answered with the version written in the home region, not an empty state.
        for (var i = 0; i < 100; i++)
        {
            if (await reader.GetGrain<IBenchProfileGrain>($"{Home}/read-{i}").Visits() != 1)
            {
                throw new InvalidOperationException($"The {Replica} replica of {Home}/read-{i} does not hold the replicated write.");
            }
        }

        return result;
    }

    /// <summary>Closed-loop writes from <paramref name="writers"/> concurrent callers on as many grains, best of <paramref name="rounds"/> interleaved rounds.</summary>
    public static async Task<ThroughputComparison> ThroughputAsync(GeoTestCluster geo, StorageRequestMeter requests, int writers, TimeSpan duration, int rounds)
    {
        var client = geo.Client(Home);
        Task Plain(int writer) => client.GetGrain<IPlainProfileGrain>($"{Home}/tp-{writer}").Visit();
        Task Geo(int writer) => client.GetGrain<IBenchProfileGrain>($"{Home}/tp-{writer}").Visit();

        await ClosedLoopAsync(Plain, writers, TimeSpan.FromSeconds(1));
        await ClosedLoopAsync(Geo, writers, TimeSpan.FromSeconds(1));
        await WaitForOutboxAsync(geo);

        var plainRates = new List<double>();
        var geoRates = new List<double>();
        StorageCost plainCost = default, geoCost = default;
        for (var round = 0; round < rounds; round++)
        {
            var before = StorageCost.Take(geo, requests);
            var plainWrites = await ClosedLoopAsync(Plain, writers, duration);
            var between = StorageCost.Take(geo, requests);
            var geoWrites = await ClosedLoopAsync(Geo, writers, duration);

            // What the geo writes leave behind (replica applies, marker deletions) is theirs: counted before the next round.
            await WaitForOutboxAsync(geo);
            var after = StorageCost.Take(geo, requests);
            plainRates.Add(plainWrites / duration.TotalSeconds);
            geoRates.Add(geoWrites / duration.TotalSeconds);
            plainCost += (between - before) with { Operations = plainWrites };
            geoCost += (after - between) with { Operations = geoWrites };
        }

        return new ThroughputComparison(plainRates.Max(), geoRates.Max(), plainCost, geoCost);
    }

    /// <summary>
    /// Waits until every silo's outbox is empty: every change shipped, acknowledged by every region and its marker
    /// deleted. Reads the silos' own state, not the storage, so it adds no storage traffic to what is measured.
    /// </summary>
    public static async Task WaitForOutboxAsync(GeoTestCluster geo)
    {
        var replications = geo.Regions.SelectMany(r => geo[r].Cluster!.Silos)
            .Select(s => ((InProcessSiloHandle)s).SiloHost.Services.GetRequiredService<GeoReplication>())
            .ToList();
        var deadline = Stopwatch.StartNew();
        while (replications.Any(r => r.Outbox.Count > 0 || r.PendingCount > 0))
        {
            if (deadline.Elapsed > QuietTimeout)
            {
                throw new TimeoutException($"The outboxes still hold {replications.Sum(r => r.Outbox.Count)} markers after {QuietTimeout}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    private static async Task<Comparison> CompareSequentialAsync(
        GeoTestCluster geo, StorageRequestMeter requests, int samples, int warmUp, int rounds, Func<int, Task> plain, Func<int, Task> geoCall)
    {
        // Every one of the 100 grains is activated before anything is timed.
        for (var i = 0; i < Math.Max(warmUp, 200); i++)
        {
            await plain(i);
            await geoCall(i);
        }

        await WaitForOutboxAsync(geo);
        var plainRounds = new List<LatencySummary>();
        var geoRounds = new List<LatencySummary>();
        StorageCost plainCost = default, geoCost = default;
        for (var round = 0; round < rounds; round++)
        {
            // Interleaved, so that neither gets a quieter machine than the other.
            var before = StorageCost.Take(geo, requests);
            plainRounds.Add(await TimeSequentialAsync(plain, samples));
            var between = StorageCost.Take(geo, requests);
            geoRounds.Add(await TimeSequentialAsync(geoCall, samples));
            await WaitForOutboxAsync(geo);
            var after = StorageCost.Take(geo, requests);
            plainCost += (between - before) with { Operations = samples };
            geoCost += (after - between) with { Operations = samples };
        }

        return new Comparison(Best(plainRounds), Best(geoRounds), plainCost, geoCost, rounds);
    }

    public static async Task<LatencySummary> TimeSequentialAsync(Func<int, Task> call, int samples)
    {
        var elapsed = new List<TimeSpan>(samples);
        for (var i = 0; i < samples; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await call(i);
            elapsed.Add(Stopwatch.GetElapsedTime(started));
        }

        return LatencySummary.From(elapsed);
    }

    public static async Task<int> ClosedLoopAsync(Func<int, Task> write, int writers, TimeSpan duration)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var counts = await Task.WhenAll(Enumerable.Range(0, writers).Select(async w =>
        {
            var n = 0;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                await write(w);
                n++;
            }

            return n;
        }));
        return counts.Sum();
    }

    /// <summary>
    /// Azurite saves all its tables to its folder at once, every 5 seconds when something changed; with 100,000 rows that
    /// keeps it busy for a noticeable time, which Azure has no counterpart of. Waits until its data file has not changed
    /// for longer than that interval (with nothing written meanwhile, no save is due), so that none lands inside a timed window.
    /// </summary>
    public static async Task WaitForAzuriteIdleAsync(GeoTestCluster geo)
    {
        foreach (var region in geo.Regions)
        {
            if (geo[region].Azurite is not { } azurite)
            {
                continue;
            }

            var file = new FileInfo(Path.Combine(azurite.DataDirectory, "__azurite_db_table__.json"));
            var deadline = Stopwatch.StartNew();
            var stable = Stopwatch.StartNew();
            var last = DateTime.MinValue;
            while (stable.Elapsed < TimeSpan.FromSeconds(5.5))
            {
                file.Refresh();
                var saved = file.Exists ? file.LastWriteTimeUtc : DateTime.MinValue;
                if (saved != last)
                {
                    last = saved;
                    stable.Restart();
                }

                if (deadline.Elapsed > QuietTimeout)
                {
                    throw new TimeoutException($"Azurite of {region} kept saving its data for {QuietTimeout}.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    public static IServiceProvider Services(GeoTestCluster geo, RegionId region) =>
        ((InProcessSiloHandle)geo[region].Cluster!.Silos[0]).SiloHost.Services;

    // The best round per statistic, for both sides alike: a round that another process disturbed does not count.
    public static LatencySummary Best(IReadOnlyList<LatencySummary> rounds) =>
        new(rounds.Sum(r => r.Samples), rounds.Min(r => r.P50Ms), rounds.Min(r => r.P99Ms), rounds.Min(r => r.MinMs), rounds.Min(r => r.MaxMs));

    // The median round per statistic, for both sides alike: neither one lucky nor one disturbed round decides.
    public static LatencySummary MedianRound(IReadOnlyList<LatencySummary> rounds) =>
        new(rounds.Sum(r => r.Samples), Median([.. rounds.Select(r => r.P50Ms)]), Median([.. rounds.Select(r => r.P99Ms)]), rounds.Min(r => r.MinMs), rounds.Max(r => r.MaxMs));

    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>Orleans' grain storage a plain grain gets, and the rows in Orleans' grain state table.</summary>
internal sealed record PlainStorage(string Type, int StateRows);

/// <summary>A geo grain call against the same plain Orleans call: best round per statistic, storage cost over every round.</summary>
internal sealed record Comparison(LatencySummary Plain, LatencySummary Geo, StorageCost PlainCost, StorageCost GeoCost, int Rounds);

/// <summary>Closed-loop write rates (best round) and storage cost over every round.</summary>
internal sealed record ThroughputComparison(double Plain, double Geo, StorageCost PlainCost, StorageCost GeoCost);

/// <summary>
/// Storage work over a window: HTTP requests to each region's Azurite (every client alike), GeoGrains' own round trips
/// per region, geo grain calls that crossed regions, CPU used by this process and by each Azurite, and how many
/// operations the window ran.
/// </summary>
internal readonly record struct StorageCost(
    StorageRequests HomeRequests,
    StorageRequests ReplicaRequests,
    RegionStorageTraffic HomeGeoOperations,
    RegionStorageTraffic ReplicaGeoOperations,
    long CrossRegionGrainCalls,
    TimeSpan CpuSilos,
    TimeSpan CpuHomeStorage,
    TimeSpan CpuReplicaStorage,
    long Operations)
{
    public static StorageCost Take(GeoTestCluster geo, StorageRequestMeter requests)
    {
        // A cluster of the home region alone has no replica region: its share is nothing.
        var replica = geo.Regions.Contains(StorageBenchmarks.Replica) ? geo[StorageBenchmarks.Replica] : null;
        return new(
            requests.Get(geo[StorageBenchmarks.Home].Azurite?.Port ?? -1),
            requests.Get(replica?.Azurite?.Port ?? -1),
            geo.StorageMetrics.Get(StorageBenchmarks.Home),
            geo.StorageMetrics.Get(StorageBenchmarks.Replica),
            geo.Meter.MessagesFrom<IBenchProfileGrain>(StorageBenchmarks.Home) + (replica is null ? 0 : geo.Meter.MessagesFrom<IBenchProfileGrain>(StorageBenchmarks.Replica)),
            ProcessCpu.Self(),
            ProcessCpu.Of(geo[StorageBenchmarks.Home].Azurite?.ProcessId),
            ProcessCpu.Of(replica?.Azurite?.ProcessId),
            0);
    }

    public static StorageCost operator -(StorageCost a, StorageCost b) => new(
        a.HomeRequests - b.HomeRequests,
        a.ReplicaRequests - b.ReplicaRequests,
        Minus(a.HomeGeoOperations, b.HomeGeoOperations),
        Minus(a.ReplicaGeoOperations, b.ReplicaGeoOperations),
        a.CrossRegionGrainCalls - b.CrossRegionGrainCalls,
        a.CpuSilos - b.CpuSilos,
        a.CpuHomeStorage - b.CpuHomeStorage,
        a.CpuReplicaStorage - b.CpuReplicaStorage,
        a.Operations - b.Operations);

    public static StorageCost operator +(StorageCost a, StorageCost b) => new(
        a.HomeRequests + b.HomeRequests,
        a.ReplicaRequests + b.ReplicaRequests,
        Plus(a.HomeGeoOperations, b.HomeGeoOperations),
        Plus(a.ReplicaGeoOperations, b.ReplicaGeoOperations),
        a.CrossRegionGrainCalls + b.CrossRegionGrainCalls,
        a.CpuSilos + b.CpuSilos,
        a.CpuHomeStorage + b.CpuHomeStorage,
        a.CpuReplicaStorage + b.CpuReplicaStorage,
        a.Operations + b.Operations);

    /// <summary>HTTP requests to the home region's Azurite per operation.</summary>
    public double HomeRequestsPerOperation => Operations == 0 ? 0 : (double)HomeRequests.Requests / Operations;

    /// <summary>HTTP requests to the replica region's Azurite per operation.</summary>
    public double ReplicaRequestsPerOperation => Operations == 0 ? 0 : (double)ReplicaRequests.Requests / Operations;

    public double PerOperation(long count) => Operations == 0 ? 0 : (double)count / Operations;

    /// <summary>Milliseconds of CPU per operation.</summary>
    public double CpuMsPerOperation(TimeSpan cpu) => Operations == 0 ? 0 : cpu.TotalMilliseconds / Operations;

    private static RegionStorageTraffic Minus(RegionStorageTraffic a, RegionStorageTraffic b) =>
        new(a.Reads - b.Reads, a.Queries - b.Queries, a.Writes - b.Writes, a.RowsWritten - b.RowsWritten);

    private static RegionStorageTraffic Plus(RegionStorageTraffic a, RegionStorageTraffic b) =>
        new(a.Reads + b.Reads, a.Queries + b.Queries, a.Writes + b.Writes, a.RowsWritten + b.RowsWritten);
}
