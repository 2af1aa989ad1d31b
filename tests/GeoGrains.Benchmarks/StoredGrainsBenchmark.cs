using System.Diagnostics;
using System.Net;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace GeoGrains.Benchmarks;

/// <summary>
/// What the number of grains stored in a region does to the paths that touch its storage: outbox recovery (with a fixed
/// number of orphaned markers), cold activation and commit. The region is filled by writing rows straight into its table,
/// then measured at each size in turn, so every size is measured in the same run on the same storage.
/// </summary>
internal static class StoredGrainsBenchmark
{
    private const int ColdGrains = 200;
    private const int WarmUpGrains = 200;
    private const int CommitGrains = 100;
    private const int CommitSamples = 500;
    private const int Rounds = 3;

    /// <summary>
    /// Measures at each of <paramref name="sizes"/> grains stored in <see cref="StorageBenchmarks.Home"/>: the median of
    /// <paramref name="rounds"/> calls of <c>OutboxRecoveryGrain.Recover()</c> with <paramref name="pending"/> orphaned
    /// markers (they name a silo that is not active, as a crashed silo's would), the first call to grains never activated,
    /// and sequential commits.
    /// </summary>
    public static async Task<IReadOnlyList<StoredGrainsMeasurement>> RunAsync(
        GeoTestCluster geo, int pending, IReadOnlyList<int> sizes, int rounds, Action<string> log)
    {
        var home = StorageBenchmarks.Home;
        var services = StorageBenchmarks.Services(geo, home);
        var store = services.GetRequiredService<GeoStore>();
        var table = services.GetRequiredService<IRegionTable>();
        var serializer = services.GetRequiredService<Serializer>();
        var writer = new GeoRowWriter(table, store, serializer);
        var client = geo.Client(home);
        var recovery = client.GetGrain<IOutboxRecoveryGrain>(0);
        var keys = Enumerable.Range(0, sizes.Max()).Select(i => $"{home}/rec-{i:D6}").ToArray();
        var grains = keys.Select(k => client.GetGrain<IBenchProfileGrain>(k).GetGrainId()).ToArray();
        var committedAt = new HybridTimestamp(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0);
        var record = new GeoRecord(1, OwnershipTable.InitialEpoch, committedAt, home, GeoStateSerializer.Serialize(new BenchProfile()));
        var recordBytes = serializer.SerializeToArray(record);
        // Each round's markers are left by another silo that is gone (a generation of its own): a silo that adopted the
        // previous round's would skip them.
        var generation = 0;
        OutboxMarker Orphaned() => new(
            OwnershipTable.InitialEpoch, 1, committedAt, SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 1), ++generation).ToParsableString(), [StorageBenchmarks.Replica]);
        var pendingGrains = grains[..pending];

        // A fresh Azurite runs slower until its JavaScript is compiled: warm its read and write paths before the first size.
        for (var i = 0; i < 3000; i++)
        {
            await table.WriteAsync([TableWrite.Upsert(store.PartitionOf(grains[i % CommitGrains]), $"b|{i % CommitGrains}", recordBytes)]);
            await table.ReadAsync(store.PartitionOf(grains[i % CommitGrains]), $"b|{i % CommitGrains}");
        }

        var results = new List<StoredGrainsMeasurement>();
        var stored = 0;
        foreach (var size in sizes)
        {
            var filling = Stopwatch.StartNew();
            await writer.WriteRecordsAsync(grains[stored..size], record);
            log($"  stored {size - stored:N0} records in {filling.Elapsed.TotalSeconds:0.0} s ({size:N0} in the table)");
            if (await store.ReadAsync(grains[size - 1]) is not { Record.Version: 1 })
            {
                throw new InvalidOperationException("A record written by GeoRowWriter does not read back through GeoStore: the row layout differs.");
            }

            // Cold activation: grains stored and never activated, from the part of the table filled last, in rounds
            // interleaved with the point read an activation makes, alone; after untimed activations of other grains.
            for (var i = size - WarmUpGrains; i < size; i++)
            {
                await client.GetGrain<IBenchProfileGrain>(keys[i]).Visits();
            }

            await StorageBenchmarks.WaitForAzuriteIdleAsync(geo);
            var coldStart = (stored + size) / 2 - Rounds * ColdGrains / 2;
            stored = size;
            var coldRounds = new List<LatencySummary>();
            var readRounds = new List<LatencySummary>();
            for (var round = 0; round < Rounds; round++)
            {
                var coldKeys = keys[(coldStart + round * ColdGrains)..][..ColdGrains];
                coldRounds.Add(await StorageBenchmarks.TimeSequentialAsync(async i =>
                {
                    if (await client.GetGrain<IBenchProfileGrain>(coldKeys[i]).Visits() != 0)
                    {
                        throw new InvalidOperationException($"{coldKeys[i]} did not activate with the stored state.");
                    }
                }, ColdGrains));
                readRounds.Add(await StorageBenchmarks.TimeSequentialAsync(
                    i => store.ReadAsync(grains[coldStart + round * ColdGrains + i]), ColdGrains));
            }

            var scans = new List<double>();
            var recoveries = new List<double>();
            RegionStorageTraffic operations = default;

            // The first size's first two rounds warm the code paths (and give the replica region its first copy) and are not counted.
            for (var round = results.Count == 0 ? -2 : 0; round < rounds; round++)
            {
                await writer.WriteMarkersAsync(pendingGrains, Orphaned());
                await StorageBenchmarks.WaitForAzuriteIdleAsync(geo);

                // What recovery reads first, alone: one range query per partition over the markers.
                var scan = Stopwatch.StartNew();
                var markers = await store.PendingAsync().CountAsync();

                scan.Stop();
                if (markers != pending)
                {
                    throw new InvalidOperationException($"The region holds {markers} outbox markers, not the {pending} written: the row layout differs.");
                }

                // Every round starts from a collected heap, so that a collection of what earlier rounds left does not land in it.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                var before = geo.StorageMetrics.Get(home);
                var timer = Stopwatch.StartNew();
                var resumed = await recovery.Recover();
                timer.Stop();
                var after = geo.StorageMetrics.Get(home);
                if (resumed != pending)
                {
                    throw new InvalidOperationException($"Recovery resumed {resumed} grains, not the {pending} whose silo is gone.");
                }

                // The resumed grains ship to the replica region and their markers go: the next round starts quiet.
                await StorageBenchmarks.WaitForOutboxAsync(geo);
                if (round >= 0)
                {
                    scans.Add(scan.Elapsed.TotalMilliseconds);
                    recoveries.Add(timer.Elapsed.TotalMilliseconds);
                    operations = new RegionStorageTraffic(after.Reads - before.Reads, after.Queries - before.Queries, after.Writes - before.Writes, after.RowsWritten - before.RowsWritten);
                }

                log($"  {size:N0} stored, round {round}: marker scan {scan.Elapsed.TotalMilliseconds:0} ms, Recover() {timer.Elapsed.TotalMilliseconds:0} ms ({after.Queries - before.Queries} queries, {after.Reads - before.Reads} reads, {after.Writes - before.Writes} writes)");
            }

            // Commits to grains of the table (warm), after the recovery's marker deletions are saved, in rounds
            // interleaved with a single-row write alone of the same size, to rows GeoGrains never reads.
            await StorageBenchmarks.WaitForAzuriteIdleAsync(geo);
            for (var i = 0; i < 2 * CommitGrains; i++)
            {
                await client.GetGrain<IBenchProfileGrain>(keys[i % CommitGrains]).Visit();
            }

            var commitRounds = new List<LatencySummary>();
            var writeRounds = new List<LatencySummary>();
            for (var round = 0; round < Rounds; round++)
            {
                commitRounds.Add(await StorageBenchmarks.TimeSequentialAsync(i => client.GetGrain<IBenchProfileGrain>(keys[i % CommitGrains]).Visit(), CommitSamples));
                writeRounds.Add(await StorageBenchmarks.TimeSequentialAsync(i =>
                {
                    var partition = store.PartitionOf(grains[i % CommitGrains]);
                    return table.WriteAsync([TableWrite.Upsert(partition, $"b|{i % CommitGrains}", recordBytes)]);
                }, CommitSamples));
            }

            await StorageBenchmarks.WaitForOutboxAsync(geo);
            var measured = new StoredGrainsMeasurement(
                size, pending, Median(recoveries), Median(scans), operations, Best(coldRounds), Best(readRounds), Best(commitRounds), Best(writeRounds));
            log($"  {size:N0} stored: cold activation p50 {measured.ColdActivation.P50Ms:0.00} ms (point read {measured.PointRead.P50Ms:0.00} ms), commit p50 {measured.Commit.P50Ms:0.00} ms (single-row write {measured.PointWrite.P50Ms:0.00} ms)");
            results.Add(measured);
        }

        return results;
    }

    private static LatencySummary Best(IReadOnlyList<LatencySummary> rounds) =>
        new(rounds.Sum(r => r.Samples), rounds.Min(r => r.P50Ms), rounds.Min(r => r.P99Ms), rounds.Min(r => r.MinMs), rounds.Min(r => r.MaxMs));

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>
/// One size of the region: outbox recovery (medians of the rounds; round trips of the last); cold activation and commit
/// latency, and the storage's own point read and single-row write alone (best round per statistic).
/// </summary>
internal sealed record StoredGrainsMeasurement(
    int Stored,
    int Pending,
    double RecoverMs,
    double MarkerScanMs,
    RegionStorageTraffic RecoveryOperations,
    LatencySummary ColdActivation,
    LatencySummary PointRead,
    LatencySummary Commit,
    LatencySummary PointWrite);
