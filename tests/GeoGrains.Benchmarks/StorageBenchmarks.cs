using System.Diagnostics;
using System.Net;
using Azure.Data.Tables;
using GeoGrains.Runtime.Hosting;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace GeoGrains.Benchmarks;

/// <summary>
/// The storage scenarios, on real Azure Table storage semantics (one Azurite per region) or on the in-memory account:
/// write latency and throughput against plain Orleans on the same account, warm replica reads against an in-memory
/// plain grain read, and outbox recovery as the number of stored grains grows.
/// </summary>
internal static class StorageBenchmarks
{
    public static readonly RegionId Home = "us-east";
    public static readonly RegionId Replica = "eu-west";

    private static readonly TimeSpan QuietTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Two regions: <see cref="Home"/> takes the writes, <see cref="Replica"/> holds replicas.</summary>
    public static Task<GeoTestCluster> StartAsync(bool azure, Action<GeoGrainsOptions>? configure = null)
    {
        var builder = new GeoTestClusterBuilder().WithRegions(Home, Replica);
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
    /// Times <c>OutboxRecoveryGrain.Recover()</c> in the home region with <paramref name="pending"/> orphaned outbox
    /// markers, once the region stores each of <paramref name="sizes"/> grains. Rows are written straight into the
    /// region's table; the markers name a silo that is not active, as a crashed silo's would.
    /// </summary>
    public static async Task<IReadOnlyList<RecoveryMeasurement>> OutboxRecoveryAsync(
        GeoTestCluster geo, int pending, IReadOnlyList<int> sizes, int rounds, Action<string> log)
    {
        var services = Services(geo, Home);
        var store = services.GetRequiredService<GeoStore>();
        var writer = new GeoRowWriter(services.GetRequiredService<IRegionTable>(), store, services.GetRequiredService<Serializer>());
        var client = geo.Client(Home);
        var recovery = client.GetGrain<IOutboxRecoveryGrain>(0);
        var grains = Enumerable.Range(0, sizes.Max())
            .Select(i => client.GetGrain<IBenchProfileGrain>($"{Home}/rec-{i:D6}").GetGrainId())
            .ToArray();
        var committedAt = new HybridTimestamp(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0);
        var record = new GeoRecord(1, OwnershipTable.InitialEpoch, committedAt, Home, GeoStateSerializer.Serialize(new BenchProfile()));
        var gone = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 1), 1).ToParsableString();
        var marker = new OutboxMarker(OwnershipTable.InitialEpoch, 1, committedAt, gone, [Replica]);
        var pendingGrains = grains[..pending];

        var results = new List<RecoveryMeasurement>();
        var stored = 0;
        foreach (var size in sizes)
        {
            var filling = Stopwatch.StartNew();
            await writer.WriteRecordsAsync(grains[stored..size], record);
            log($"  stored {size - stored:N0} records in {filling.Elapsed.TotalSeconds:0.0} s ({size:N0} in the table)");
            stored = size;
            if (await store.ReadAsync(grains[size - 1]) is not { Record.Version: 1 })
            {
                throw new InvalidOperationException("A record written by GeoRowWriter does not read back through GeoStore: the row layout differs.");
            }

            var scans = new List<double>();
            var recoveries = new List<double>();
            var operations = new List<RegionStorageTraffic>();

            // The first size's first round warms the code paths and is not counted.
            for (var round = results.Count == 0 ? -1 : 0; round < rounds; round++)
            {
                var written = DateTime.UtcNow;
                await writer.WriteMarkersAsync(pendingGrains, marker);
                await WaitForAzuriteSaveAsync(geo[Home], written);

                // What recovery reads first, alone: one range query per partition over the markers.
                var scan = Stopwatch.StartNew();
                var markers = 0;
                for (var partition = 0; partition < store.Partitions; partition++)
                {
                    await foreach (var _ in store.PendingAsync(partition))
                    {
                        markers++;
                    }
                }

                scan.Stop();
                if (markers != pending)
                {
                    throw new InvalidOperationException($"The region holds {markers} outbox markers, not the {pending} written: the row layout differs.");
                }

                var before = geo.StorageMetrics.Get(Home);
                var timer = Stopwatch.StartNew();
                var resumed = await recovery.Recover();
                timer.Stop();
                var after = geo.StorageMetrics.Get(Home);
                if (resumed != pending)
                {
                    throw new InvalidOperationException($"Recovery resumed {resumed} grains, not the {pending} whose silo is gone.");
                }

                // The resumed grains ship to the replica region and their markers go: the next round starts quiet.
                await WaitForOutboxAsync(geo);
                if (round >= 0)
                {
                    scans.Add(scan.Elapsed.TotalMilliseconds);
                    recoveries.Add(timer.Elapsed.TotalMilliseconds);
                    operations.Add(new RegionStorageTraffic(after.Reads - before.Reads, after.Queries - before.Queries, after.Writes - before.Writes, after.RowsWritten - before.RowsWritten));
                }

                log($"  {size:N0} stored, round {round}: marker scan {scan.Elapsed.TotalMilliseconds:0} ms, Recover() {timer.Elapsed.TotalMilliseconds:0} ms ({after.Queries - before.Queries} queries, {after.Reads - before.Reads} reads)");
            }

            results.Add(new RecoveryMeasurement(size, pending, Median(recoveries), Median(scans), operations[^1]));
        }

        return results;
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
        for (var i = 0; i < warmUp; i++)
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

    private static async Task<LatencySummary> TimeSequentialAsync(Func<int, Task> call, int samples)
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

    private static async Task<int> ClosedLoopAsync(Func<int, Task> write, int writers, TimeSpan duration)
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
    /// Azurite saves every table to its folder every 5 seconds when something changed, serializing all of it at once;
    /// with 100,000 rows that blocks it for a noticeable time, which Azure has no counterpart of. Waits until the save
    /// that follows <paramref name="since"/> is done and no other follows, so that none lands inside a timed window.
    /// </summary>
    private static async Task WaitForAzuriteSaveAsync(GeoTestRegion region, DateTime since)
    {
        if (region.Azurite is not { } azurite)
        {
            return;
        }

        var file = new FileInfo(Path.Combine(azurite.DataDirectory, "__azurite_db_table__.json"));
        var deadline = Stopwatch.StartNew();
        var stableSince = Stopwatch.StartNew();
        var last = DateTime.MinValue;
        while (true)
        {
            file.Refresh();
            var saved = file.Exists ? file.LastWriteTimeUtc : DateTime.MinValue;
            if (saved != last)
            {
                last = saved;
                stableSince.Restart();
            }

            // Saves come at most every 5 s: one after the markers and none for longer than that means nothing is left to save.
            if (last > since && stableSince.Elapsed > TimeSpan.FromSeconds(5.5))
            {
                return;
            }

            if (deadline.Elapsed > QuietTimeout)
            {
                throw new TimeoutException($"Azurite of {region.Id} did not save its data within {QuietTimeout}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private static IServiceProvider Services(GeoTestCluster geo, RegionId region) =>
        ((InProcessSiloHandle)geo[region].Cluster!.Silos[0]).SiloHost.Services;

    // The best round per statistic, for both sides alike: a round that another process disturbed does not count.
    private static LatencySummary Best(IReadOnlyList<LatencySummary> rounds) =>
        new(rounds.Sum(r => r.Samples), rounds.Min(r => r.P50Ms), rounds.Min(r => r.P99Ms), rounds.Min(r => r.MinMs), rounds.Min(r => r.MaxMs));

    private static double Median(List<double> values)
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

/// <summary>Outbox recovery with <see cref="Stored"/> grains in the region and <see cref="Pending"/> orphaned markers (medians).</summary>
internal sealed record RecoveryMeasurement(int Stored, int Pending, double RecoverMs, double MarkerScanMs, RegionStorageTraffic Operations);

/// <summary>
/// Storage work over a window: HTTP requests to each region's Azurite (every client alike), GeoGrains' own round trips
/// per region, geo grain calls that crossed regions, and how many operations the window ran.
/// </summary>
internal readonly record struct StorageCost(
    StorageRequests HomeRequests,
    StorageRequests ReplicaRequests,
    RegionStorageTraffic HomeGeoOperations,
    RegionStorageTraffic ReplicaGeoOperations,
    long CrossRegionGrainCalls,
    long Operations)
{
    public static StorageCost Take(GeoTestCluster geo, StorageRequestMeter requests) => new(
        requests.Get(geo[StorageBenchmarks.Home].Azurite?.Port ?? -1),
        requests.Get(geo[StorageBenchmarks.Replica].Azurite?.Port ?? -1),
        geo.StorageMetrics.Get(StorageBenchmarks.Home),
        geo.StorageMetrics.Get(StorageBenchmarks.Replica),
        geo.Meter.MessagesFrom<IBenchProfileGrain>(StorageBenchmarks.Home) + geo.Meter.MessagesFrom<IBenchProfileGrain>(StorageBenchmarks.Replica),
        0);

    public static StorageCost operator -(StorageCost a, StorageCost b) => new(
        a.HomeRequests - b.HomeRequests,
        a.ReplicaRequests - b.ReplicaRequests,
        Minus(a.HomeGeoOperations, b.HomeGeoOperations),
        Minus(a.ReplicaGeoOperations, b.ReplicaGeoOperations),
        a.CrossRegionGrainCalls - b.CrossRegionGrainCalls,
        a.Operations - b.Operations);

    public static StorageCost operator +(StorageCost a, StorageCost b) => new(
        a.HomeRequests + b.HomeRequests,
        a.ReplicaRequests + b.ReplicaRequests,
        Plus(a.HomeGeoOperations, b.HomeGeoOperations),
        Plus(a.ReplicaGeoOperations, b.ReplicaGeoOperations),
        a.CrossRegionGrainCalls + b.CrossRegionGrainCalls,
        a.Operations + b.Operations);

    /// <summary>HTTP requests to the home region's Azurite per operation.</summary>
    public double HomeRequestsPerOperation => Operations == 0 ? 0 : (double)HomeRequests.Requests / Operations;

    /// <summary>HTTP requests to the replica region's Azurite per operation.</summary>
    public double ReplicaRequestsPerOperation => Operations == 0 ? 0 : (double)ReplicaRequests.Requests / Operations;

    public double PerOperation(long count) => Operations == 0 ? 0 : (double)count / Operations;

    private static RegionStorageTraffic Minus(RegionStorageTraffic a, RegionStorageTraffic b) =>
        new(a.Reads - b.Reads, a.Queries - b.Queries, a.Writes - b.Writes, a.RowsWritten - b.RowsWritten);

    private static RegionStorageTraffic Plus(RegionStorageTraffic a, RegionStorageTraffic b) =>
        new(a.Reads + b.Reads, a.Queries + b.Queries, a.Writes + b.Writes, a.RowsWritten + b.RowsWritten);
}
