using GeoGrains.Configuration;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Storage;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Serialization;

namespace GeoGrains.Benchmarks;

/// <summary>
/// Regional failover with the default health and failover settings: us-east is killed while clients in every region write
/// to grains homed there, each durability mode on grains of its own. Each run is a fresh cluster (a region taken over does
/// not fail back yet) whose us-east holds a given number of stored grains, replicated to both other regions. A run yields
/// the recovery time (kill to the first write acknowledged at a surviving client), the survivors' timeline of the
/// failover, the acknowledged writes missing from the new owners' state per mode, and what a stored grain's first write
/// after the takeover costs against its second.
/// </summary>
internal static class FailoverBenchmark
{
    public static readonly RegionId Failed = "us-east";
    public static readonly RegionId EuWest = "eu-west";
    public static readonly RegionId ApacEast = "apac-east";

    private static readonly RegionId[] Survivors = [EuWest, ApacEast];
    private static readonly RegionId[] ClientRegions = [Failed, EuWest, ApacEast];

    public static readonly (string Name, Durability Durability)[] Modes =
        [("Sync", Durability.Sync), ("SemiSync(1)", Durability.SemiSync(1)), ("Async", Durability.Async)];

    /// <summary>Grains per durability mode and client region, each written by one sequential writer.</summary>
    public const int GrainsPerWriterKind = 2;

    /// <summary>Stored grains never written since they were stored, written twice each after the takeover.</summary>
    public const int ColdGrains = 50;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // A write to a grain of its own region is acknowledged in well under a millisecond: paced so that the ledgers of
    // us-east's own writers stay a few hundred entries long, as the writers elsewhere wait a round trip anyway.
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(20);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan WritingBeforeKill = TimeSpan.FromSeconds(2);

    /// <summary>How long after the kill every grain written from a surviving region is given to take a write again.</summary>
    public static readonly TimeSpan ResumeWindow = TimeSpan.FromSeconds(12);

    /// <summary>Runs <paramref name="runsPerSize"/> fresh clusters per size, the sizes interleaved.</summary>
    public static async Task<IReadOnlyList<FailoverRun>> RunAsync(IReadOnlyList<int> sizes, int runsPerSize, Action<string> log)
    {
        var runs = new List<FailoverRun>();
        var teardowns = new List<Task>();
        for (var round = 0; round < runsPerSize; round++)
        {
            foreach (var size in sizes)
            {
                var run = await RunOnceAsync(size, teardowns);
                log($"  run {runs.Count + 1}, {size:N0} stored: RTO {run.Rto.TotalMilliseconds:0} ms (grains written again: {string.Join(", ", run.GrainsResumed.Select(t => Ms(t)))}); " +
                    $"declared down {Ms(run.DeclaredDown)}, transferred {Ms(run.Transferred)}; missing {string.Join(", ", run.Modes.Select(m => $"{m.Mode} {m.Missing}/{m.Acknowledged}"))}");
                runs.Add(run);
            }
        }

        await Task.WhenAll(teardowns);
        return runs;
    }

    private static string Ms(TimeSpan? at) => at is { } t && t != TimeSpan.MaxValue ? $"{t.TotalMilliseconds:0} ms" : "not yet";

    private static async Task<FailoverRun> RunOnceAsync(int stored, List<Task> teardowns)
    {
        var geo = await new GeoTestClusterBuilder().StartAsync();
        var stop = new CancellationTokenSource();
        var loops = new List<Task>();
        try
        {
            return await MeasureAsync(geo, stored, loops, stop.Token);
        }
        finally
        {
            teardowns.Add(TearDownAsync(geo, stop, loops));
        }
    }

    /// <summary>
    /// Stops a run's cluster in the background while the next run starts. Writes forwarded to us-east before it was
    /// suspected wait for the survivors' links to it, whose connection attempts queue behind one another (5 s each): a
    /// survivor's silo does not stop before they have all given up, which takes tens of seconds.
    /// </summary>
    private static async Task TearDownAsync(GeoTestCluster geo, CancellationTokenSource stop, List<Task> loops)
    {
        await stop.CancelAsync();
        foreach (var region in ClientRegions)
        {
            await geo.KillRegionAsync(region);
        }

        await geo.DisposeAsync();
        await Task.WhenAll(loops);
        stop.Dispose();
    }

    private static async Task<FailoverRun> MeasureAsync(GeoTestCluster geo, int stored, List<Task> loops, CancellationToken stop)
    {
        var options = StorageBenchmarks.Services(geo, EuWest).GetRequiredService<IOptions<GeoGrainsOptions>>().Value;
        await WaitUntilHealthyAsync(geo);

        var keys = Enumerable.Range(0, stored).Select(i => $"{Failed}/fo-{i:D6}").ToArray();
        var fill = Stopwatch.StartNew();
        await FillAsync(geo, keys);
        fill.Stop();

        var writers = ClientRegions
            .SelectMany(client => Modes.SelectMany(mode => Enumerable.Range(0, GrainsPerWriterKind).Select(_ => (client, mode))))
            .Select((w, i) => new Writer(keys[i], w.client, w.mode.Name, w.mode.Durability))
            .ToArray();
        var acks = new ConcurrentQueue<Ack>();
        loops.AddRange(writers.Select((w, i) => WriteLoopAsync(geo, i, w, acks, stop)));

        // Every grain takes writes at us-east for a while, then us-east dies.
        var writing = Stopwatch.StartNew();
        await UntilAsync(() => writing.Elapsed >= WritingBeforeKill && Enumerable.Range(0, writers.Length).All(i => acks.Count(a => a.Writer == i) >= 3),
            "every writer acknowledged writes at us-east before the kill");
        var storage = new StorageSampler(geo);
        var killedAt = DateTimeOffset.UtcNow;
        var kill = Stopwatch.StartNew();
        await geo.KillRegionAsync(Failed);
        kill.Stop();

        // Writes resume at the successors; every grain written from a surviving region is given the resume window to
        // take a write again (a writer whose call waits for the link to dead us-east may need longer).
        var survivorWriters = Enumerable.Range(0, writers.Length).Where(i => writers[i].Client != Failed).ToArray();
        bool Resumed(Ack a) => a.At > killedAt && a.ExecutedIn != Failed && writers[a.Writer].Client != Failed;
        await UntilAsync(() => acks.Any(Resumed), "a write of a us-east grain is acknowledged at eu-west or apac-east");
        await UntilAsync(() => DateTimeOffset.UtcNow - killedAt >= ResumeWindow || survivorWriters.All(i => acks.Any(a => a.Writer == i && Resumed(a))),
            "every grain written from eu-west and apac-east takes a write again, or the resume window ends");

        // What every client saw acknowledged up to now; each of these writes must be in the state read after it.
        var acknowledged = acks.ToArray();
        await storage.StopAsync();

        var resumed = acknowledged.Where(Resumed).ToList();
        var first = resumed.MinBy(a => a.At)!;
        var perGrain = survivorWriters
            .Select(i => resumed.Where(a => a.Writer == i).Select(a => a.At - killedAt).DefaultIfEmpty(TimeSpan.MaxValue).Min())
            .ToList();

        // The survivors' timelines since the kill; us-east's own (its lease lapsing) died with it.
        var timeline = new List<RegionHealthEvent>();
        foreach (var survivor in Survivors)
        {
            timeline.AddRange((await geo.Client(survivor).GetGrain<IRegionHealthGrain>(0).GetTimeline()).Where(e => e.At >= killedAt));
        }

        timeline.Sort((a, b) => a.At.CompareTo(b.At));
        TimeSpan? FirstOf(RegionHealthChange change) =>
            timeline.FirstOrDefault(e => e.Subject == Failed && e.Change == change) is { } e ? e.At - killedAt : null;
        var transferred = FirstOf(RegionHealthChange.OwnershipTransferred);

        // The takeover proper, from the first declaration to the last survivor learning the agreed configuration.
        var declared = FirstOf(RegionHealthChange.DeclaredDown);
        var learned = timeline.Where(e => e.Subject == Failed && e.Change == RegionHealthChange.OwnershipTransferred).Select(e => e.At).DefaultIfEmpty().Max();
        var takeover = declared is { } d && transferred is not null ? storage.Between(killedAt + d, learned) : default;

        // Acknowledged writes missing from the new owners' state, read at Strong through eu-west.
        var states = await Task.WhenAll(writers.Select(w => StrongReadAsync(geo, w.Key)));
        var modes = Modes.Select(mode =>
        {
            var missing = new List<double>();
            int count = 0, lastSecond = 0, duplicates = 0, grains = 0;
            for (var i = 0; i < writers.Length; i++)
            {
                if (writers[i].Mode != mode.Name)
                {
                    continue;
                }

                grains++;
                var present = states[i].ToHashSet();
                duplicates += states[i].Length - present.Count;
                foreach (var ack in acknowledged.Where(a => a.Writer == i))
                {
                    count++;
                    lastSecond += ack.At <= killedAt && ack.At > killedAt.AddSeconds(-1) ? 1 : 0;
                    if (!present.Contains(ack.Item))
                    {
                        missing.Add((ack.At - killedAt).TotalMilliseconds);
                    }
                }
            }

            return new ModeLoss(mode.Name, grains, count, lastSecond, missing.Count, duplicates, [.. missing.Order()]);
        }).ToList();

        // A stored grain's first write after the takeover gathers its newest copy from the other survivor first; its second does not.
        var cold = await ColdGrainsOwnedByAsync(geo, EuWest, keys[writers.Length..]);
        var coldFirst = await TimeWritesAsync(geo, EuWest, cold);
        var coldSecond = await TimeWritesAsync(geo, EuWest, cold);

        var reconciliation = await ReconcileAtReturnAsync(geo, writers, acknowledged, states);

        return new FailoverRun(
            stored,
            fill.Elapsed.TotalSeconds,
            options.Health.ProbeInterval,
            options.Health.FailuresToSuspect,
            options.Failover.LeasePeriod,
            kill.Elapsed,
            first.At - killedAt,
            new FirstWrite(writers[first.Writer].Client, writers[first.Writer].Mode, first.ExecutedIn),
            perGrain,
            FirstOf(RegionHealthChange.Suspected),
            declared,
            transferred,
            FirstOf(RegionHealthChange.FirstWriteServed),
            [.. timeline.Select(e => new TimelineEntry(e.Observer, e.Subject, e.Change, e.At - killedAt, e.Detail))],
            Survivors.ToDictionary(r => r.Value, r => resumed.Where(a => writers[a.Writer].Client == r).MinBy(a => a.At) is { } a ? a.At - killedAt : (TimeSpan?)null),
            takeover,
            modes,
            coldFirst,
            coldSecond,
            reconciliation);
    }

    /// <summary>
    /// us-east returns: the acknowledged writes of every grain that the new owner's state lacked after the failover must
    /// reach the owners as orphaned versions from us-east's storage and be recorded (or merged). Counts those found in
    /// the state or in a reconciliation record, and how long after the restart call the last of them was.
    /// </summary>
    private static async Task<FailbackReconciliation> ReconcileAtReturnAsync(GeoTestCluster geo, Writer[] writers, Ack[] acknowledged, ImmutableArray<int>[] states)
    {
        var missing = Enumerable.Range(0, writers.Length)
            .Select(i => acknowledged.Where(a => a.Writer == i).Select(a => a.Item).Except(states[i]).ToHashSet())
            .ToArray();
        var total = missing.Sum(m => m.Count);
        var restart = Stopwatch.StartNew();
        await geo.RestartRegionAsync(Failed);
        var restarted = restart.Elapsed;
        var found = new HashSet<(int Writer, int Item)>();
        try
        {
            await UntilAsync(() => found.Count == total, "every acknowledged write missing after the failover is in the state or a reconciliation record", async () =>
            {
                for (var i = 0; i < writers.Length; i++)
                {
                    if (missing[i].All(item => found.Contains((i, item))))
                    {
                        continue;
                    }

                    var grain = geo.Client(EuWest).GetGrain<IBenchLedgerGrain>(writers[i].Key);
                    var records = await geo.Client(EuWest).GetReconciliationsAsync(grain);
                    var seen = records.SelectMany(r => JsonSerializer.Deserialize<BenchLedger>(r.Orphaned.StateJson)!.Entries)
                        .Concat(await StrongReadAsync(geo, writers[i].Key))
                        .ToHashSet();
                    found.UnionWith(missing[i].Where(seen.Contains).Select(item => (i, item)));
                }
            });
        }
        catch (TimeoutException)
        {
            // Reported as found of missing: a write never found is what the table is there to show.
        }

        return new FailbackReconciliation(total, found.Count, restarted, restart.Elapsed);
    }

    /// <summary>The first <see cref="ColdGrains"/> of <paramref name="keys"/> that <paramref name="owner"/> took over.</summary>
    private static async Task<string[]> ColdGrainsOwnedByAsync(GeoTestCluster geo, RegionId owner, IEnumerable<string> keys)
    {
        var client = geo.Client(owner);
        var owned = new List<string>();
        foreach (var key in keys)
        {
            if ((await client.GetOwnerAsync(client.GetGrain<IBenchLedgerGrain>(key))).Owner == owner)
            {
                owned.Add(key);
                if (owned.Count == ColdGrains)
                {
                    return [.. owned];
                }
            }
        }

        throw new InvalidOperationException($"Fewer than {ColdGrains} stored grains went to {owner}.");
    }

    /// <summary>Stores every grain at version 1 in us-east and, as replication would have, in both other regions.</summary>
    private static async Task FillAsync(GeoTestCluster geo, string[] keys)
    {
        var client = geo.Client(Failed);
        var grains = keys.Select(k => client.GetGrain<IBenchLedgerGrain>(k).GetGrainId()).ToArray();
        var committedAt = new HybridTimestamp(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0);
        var record = new GeoRecord(1, OwnershipTable.InitialEpoch, committedAt, Failed, GeoStateSerializer.Serialize(new BenchLedger()));
        await Task.WhenAll(ClientRegions.Select(async region =>
        {
            var services = StorageBenchmarks.Services(geo, region);
            var store = services.GetRequiredService<GeoStore>();
            await new GeoRowWriter(services.GetRequiredService<IRegionTable>(), store, services.GetRequiredService<Serializer>()).WriteRecordsAsync(grains, record);
            if (await store.ReadAsync(grains[^1]) is not { Record.Version: 1 })
            {
                throw new InvalidOperationException($"A record written into {region}'s table does not read back through GeoStore: the row layout differs.");
            }
        }));

        // A replica serves the stored version: eu-west reads it locally.
        if (await geo.Client(EuWest).GetGrain<IBenchLedgerGrain>(keys[^1]).Entries() is not { Length: 0 })
        {
            throw new InvalidOperationException($"{keys[^1]} does not read as stored in eu-west.");
        }
    }

    private static async Task WriteLoopAsync(GeoTestCluster geo, int index, Writer writer, ConcurrentQueue<Ack> acks, CancellationToken stop)
    {
        var grain = geo.Client(writer.Client).GetGrain<IBenchLedgerGrain>(writer.Key);
        for (var item = 0; !stop.IsCancellationRequested; item++)
        {
            var started = Stopwatch.StartNew();
            try
            {
                using var scope = GeoContext.Write(writer.Durability);
                var receipt = await grain.Append(item);
                acks.Enqueue(new Ack(index, item, receipt.ExecutedIn, DateTimeOffset.UtcNow));
            }
            catch (Exception) when (!geo[writer.Client].IsRunning)
            {
                return; // the writer's client died with its region
            }
            catch (Exception)
            {
                // Unknown outcome (refused, timed out, lease lapsed, replication incomplete): not acknowledged; retry.
                await Task.Delay(RetryDelay, CancellationToken.None);
                continue;
            }

            if (Pace - started.Elapsed is { Ticks: > 0 } left)
            {
                await Task.Delay(left, CancellationToken.None);
            }
        }
    }

    private static async Task<ImmutableArray<int>> StrongReadAsync(GeoTestCluster geo, string key)
    {
        using var scope = GeoContext.Read(GeoGrains.Consistency.Strong);
        return await geo.Client(EuWest).GetGrain<IBenchLedgerGrain>(key).Entries();
    }

    /// <summary>One Async write to each grain from a client of <paramref name="region"/>, all at once: p50 of their latencies.</summary>
    private static async Task<double> TimeWritesAsync(GeoTestCluster geo, RegionId region, IEnumerable<string> keys)
    {
        var client = geo.Client(region);
        var latencies = await Task.WhenAll(keys.Select(async key =>
        {
            using var scope = GeoContext.Write(Durability.Async);
            var timer = Stopwatch.StartNew();
            var receipt = await client.GetGrain<IBenchLedgerGrain>(key).Append(-1);
            return receipt.ExecutedIn == region
                ? timer.Elapsed
                : throw new InvalidOperationException($"{key} was written in {receipt.ExecutedIn}, not in {region} which owns it.");
        }));
        return LatencySummary.From(latencies).P50Ms;
    }

    private static async Task WaitUntilHealthyAsync(GeoTestCluster geo)
    {
        var healthy = false;
        await UntilAsync(() => healthy, "every region probes every other without suspicion", async () =>
        {
            var views = await Task.WhenAll(ClientRegions.Select(r => geo.Client(r).GetGrain<IRegionHealthGrain>(0).GetView()));
            healthy = views.All(v => v.Rounds >= 3 && v.Suspected.Count == 0 && v.DeclaredDown.Count == 0);
        });
    }

    private static async Task UntilAsync(Func<bool> condition, string what, Func<Task>? look = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (look is not null)
            {
                await look();
            }

            if (condition())
            {
                return;
            }

            if (deadline.Elapsed > Timeout)
            {
                throw new TimeoutException($"Timed out after {Timeout} waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }

    private sealed record Writer(string Key, RegionId Client, string Mode, Durability Durability);

    private sealed record Ack(int Writer, int Item, RegionId ExecutedIn, DateTimeOffset At);

    /// <summary>
    /// The surviving regions' storage round trips over time, sampled every 10 ms from the kill: which of them the
    /// takeover made (kill to the transfer) is read off afterwards.
    /// </summary>
    private sealed class StorageSampler
    {
        private readonly GeoTestCluster _geo;
        private readonly List<(DateTimeOffset At, RegionStorageTraffic Traffic)> _samples = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampling;

        public StorageSampler(GeoTestCluster geo)
        {
            _geo = geo;
            _samples.Add(Sample());
            _sampling = RunAsync();
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _sampling;
            _stop.Dispose();
        }

        /// <summary>Round trips between the last samples taken at or before <paramref name="from"/> and <paramref name="to"/>.</summary>
        public RegionStorageTraffic Between(DateTimeOffset from, DateTimeOffset to)
        {
            var start = _samples.Last(s => s.At <= from).Traffic;
            var end = _samples.Last(s => s.At <= to).Traffic;
            return new RegionStorageTraffic(end.Reads - start.Reads, end.Queries - start.Queries, end.Writes - start.Writes, end.RowsWritten - start.RowsWritten);
        }

        private (DateTimeOffset, RegionStorageTraffic) Sample()
        {
            var total = Survivors.Select(_geo.StorageMetrics.Get)
                .Aggregate(default(RegionStorageTraffic), (a, b) => new RegionStorageTraffic(a.Reads + b.Reads, a.Queries + b.Queries, a.Writes + b.Writes, a.RowsWritten + b.RowsWritten));
            return (DateTimeOffset.UtcNow, total);
        }

        private async Task RunAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(10, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                _samples.Add(Sample());
            }
        }
    }
}

/// <summary>The first write acknowledged at a surviving client after the kill: whose, in which mode, where it ran.</summary>
internal sealed record FirstWrite(RegionId Client, string Mode, RegionId ExecutedIn);

/// <summary>One event of a survivor's health timeline, relative to the kill.</summary>
internal sealed record TimelineEntry(RegionId Observer, RegionId Subject, RegionHealthChange Change, TimeSpan At, string Detail);

/// <summary>
/// Acknowledged writes of one durability mode over a run: how many, how many in the last second before the kill, how
/// many the new owners' state lacks (with when each was acknowledged, relative to the kill), and entries applied twice.
/// </summary>
internal sealed record ModeLoss(string Mode, int Grains, int Acknowledged, int AcknowledgedInLastSecond, int Missing, int Duplicates, IReadOnlyList<double> MissingAckedAtMs);

/// <summary>
/// One failover run: times relative to the kill, the timeline, the losses per mode, cold-write costs after it.
/// <see cref="GrainsResumed"/>: per grain written from a surviving region, its first write acknowledged after the kill
/// (<see cref="TimeSpan.MaxValue"/>: none within <see cref="FailoverBenchmark.ResumeWindow"/>).
/// </summary>
internal sealed record FailoverRun(
    int Stored,
    double FillSeconds,
    TimeSpan ProbeInterval,
    int FailuresToSuspect,
    TimeSpan LeasePeriod,
    TimeSpan KillCall,
    TimeSpan Rto,
    FirstWrite FirstWrite,
    IReadOnlyList<TimeSpan> GrainsResumed,
    TimeSpan? Suspected,
    TimeSpan? DeclaredDown,
    TimeSpan? Transferred,
    TimeSpan? FirstWriteServed,
    IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyDictionary<string, TimeSpan?> FirstWriteByClient,
    RegionStorageTraffic TakeoverStorage,
    IReadOnlyList<ModeLoss> Modes,
    double ColdFirstWriteP50Ms,
    double ColdSecondWriteP50Ms,
    FailbackReconciliation Reconciliation);

/// <summary>
/// After us-east's restart: acknowledged writes that the new owners' state lacked after the failover, how many of them
/// were found since (state or reconciliation record), how long the restart call took, and when the last was found.
/// </summary>
internal sealed record FailbackReconciliation(int Missing, int Found, TimeSpan RestartCall, TimeSpan AllFoundAfter);
