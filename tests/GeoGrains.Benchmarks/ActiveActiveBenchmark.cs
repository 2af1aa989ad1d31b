using GeoGrains.Configuration;
using GeoGrains.Runtime.Storage;
using System.Collections.Immutable;
using System.Diagnostics;
using GeoGrains.Crdts;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace GeoGrains.Benchmarks;

/// <summary>
/// Active-active grains: local write latency against a plain Orleans grain on the same storage, time to convergence
/// after a partition heals, and bytes per operation of state shipping against delta shipping.
/// </summary>
internal static class ActiveActiveBenchmark
{
    public static readonly RegionId Home = "us-east";

    /// <summary>Three regions, platform failover off: partitions here must move nothing, as in the active-active tests.</summary>
    public static Task<GeoTestCluster> StartAsync() =>
        new GeoTestClusterBuilder()
            .WithSilosPerRegion(1)
            .WithCallTimeout(TimeSpan.FromSeconds(2))
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o => o.Failover.Automatic = false))
            .StartAsync();

    /// <summary>
    /// Sequential writes from a client in <see cref="Home"/> to 100 grains of each kind, <paramref name="rounds"/>
    /// interleaved rounds, best round per statistic.
    /// </summary>
    public static async Task<WriteLatencies> WriteLatencyAsync(GeoTestCluster geo, int samples, int warmUp, int rounds)
    {
        var client = geo.Client(Home);
        Func<int, Task> plain = i => client.GetGrain<IPlainCounterGrain>($"{Home}/lat-{i % 100}").Add(1);
        Func<int, Task> active = i => client.GetGrain<IBenchActiveCounterGrain>($"{Home}/lat-{i % 100}").Add(1);
        Func<int, Task> owned = i => client.GetGrain<IBenchOwnedCounterGrain>($"{Home}/lat-{i % 100}").Add(1);

        // Every grain is activated (and has a stored record) before anything is timed.
        for (var i = 0; i < Math.Max(warmUp, 200); i++)
        {
            await plain(i);
            await active(i);
            await owned(i);
        }

        await StorageBenchmarks.WaitForOutboxAsync(geo);
        List<LatencySummary> plainRounds = [], activeRounds = [], ownedRounds = [];
        for (var round = 0; round < rounds; round++)
        {
            plainRounds.Add(await StorageBenchmarks.TimeSequentialAsync(plain, samples));
            activeRounds.Add(await StorageBenchmarks.TimeSequentialAsync(active, samples));
            await StorageBenchmarks.WaitForOutboxAsync(geo);
            ownedRounds.Add(await StorageBenchmarks.TimeSequentialAsync(owned, samples));
            await StorageBenchmarks.WaitForOutboxAsync(geo);
        }

        // The writes really ran where they were sent and were replicated: every region holds each active-active counter's total.
        var expected = Math.Max(warmUp, 200) / 100 + (long)samples * rounds / 100;
        var grain = client.GetGrain<IBenchActiveCounterGrain>($"{Home}/lat-0").GetGrainId();
        foreach (var region in geo.Regions)
        {
            var stored = await geo[region].Store.ReadAsync(grain) ?? throw new InvalidOperationException($"{region} stores no record of {grain}.");
            var value = GeoStateSerializer.Deserialize<PNCounter>(stored.Record.State).Value;
            if (value != expected)
            {
                throw new InvalidOperationException($"{region} stores {value} for {grain}, not the {expected} increments written.");
            }
        }

        return new WriteLatencies(StorageBenchmarks.Best(plainRounds), StorageBenchmarks.Best(activeRounds), StorageBenchmarks.Best(ownedRounds), rounds);
    }

    /// <summary>
    /// Cuts every link, has every region add to each of <paramref name="grains"/> active-active counters at once
    /// (<paramref name="writersPerRegion"/> concurrent callers per region), heals, and times how long until every region
    /// has every change acknowledged and stores identical records for every counter, holding every increment.
    /// </summary>
    public static async Task<ConvergenceRun> ConvergenceAsync(GeoTestCluster geo, int grains, int writersPerRegion, Action<string> log)
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var regions = geo.Regions;
        var keys = Enumerable.Range(0, grains).Select(i => $"conv-{run}-{i}").ToArray();
        var ids = keys.Select(k => geo.Client(Home).GetGrain<IBenchActiveCounterGrain>(k).GetGrainId()).ToArray();
        var expected = regions.Select((_, r) => (long)r + 1).Sum();

        for (var a = 0; a < regions.Count; a++)
        {
            for (var b = a + 1; b < regions.Count; b++)
            {
                geo.Partition(regions[a], regions[b]);
            }
        }

        var pairs = regions.SelectMany(a => regions.Where(b => b != a).Select(b => (Source: a, Target: b))).ToArray();
        var trafficBefore = pairs.Select(p => geo.Replication.Get(p.Source, p.Target)).ToArray();
        var partitioned = Stopwatch.StartNew();
        var writing = Stopwatch.StartNew();
        await Task.WhenAll(regions.Select((region, r) => Task.Run(async () =>
        {
            var client = geo.Client(region);
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, writersPerRegion).Select(async _ =>
            {
                for (var i = Interlocked.Increment(ref next); i < grains; i = Interlocked.Increment(ref next))
                {
                    await client.GetGrain<IBenchActiveCounterGrain>(keys[i]).Add(r + 1);
                }
            }));
        })));
        var writeTime = writing.Elapsed;
        log($"[active-active] {grains:N0} counters written in each of {regions.Count} partitioned regions in {writeTime.TotalSeconds:0.0} s");

        var acknowledgedAtHeal = pairs.Select(p => geo.Replication.Get(p.Source, p.Target).ChangesAcknowledged).ToArray();
        geo.Heal();
        var healed = Stopwatch.StartNew();
        var partitionLasted = partitioned.Elapsed;

        // When each link's first batch got through after the heal: shippers that failed while the links were cut wait out
        // their retry backoff (and a call already in flight its timeout) before trying again.
        var firstThrough = new TimeSpan?[pairs.Length];

        // Cheap while it runs: the silos' own outbox state, and a fixed sample of 64 counters read from every region.
        var replications = geo.Regions.SelectMany(r => geo[r].Cluster!.Silos)
            .Select(s => ((Orleans.TestingHost.InProcessSiloHandle)s).SiloHost.Services.GetRequiredService<GeoReplication>())
            .ToList();
        var sample = Enumerable.Range(0, 64).Select(i => ids[(int)((long)i * grains / 64)]).ToArray();
        TimeSpan? drained = null, sampleConverged = null;
        var timeout = TimeSpan.FromMinutes(3);
        while (drained is null || sampleConverged is null)
        {
            if (healed.Elapsed > timeout)
            {
                throw new TimeoutException($"{grains:N0} counters not converged {timeout} after healing: outboxes {(drained is null ? "not " : "")}drained, sample {(sampleConverged is null ? "not " : "")}identical.");
            }

            for (var p = 0; p < pairs.Length; p++)
            {
                if (firstThrough[p] is null && geo.Replication.Get(pairs[p].Source, pairs[p].Target).ChangesAcknowledged > acknowledgedAtHeal[p])
                {
                    firstThrough[p] = healed.Elapsed;
                }
            }

            if (drained is null && replications.All(r => r.Outbox.Count == 0 && r.PendingCount == 0))
            {
                drained = healed.Elapsed;
            }

            if (sampleConverged is null && await DifferenceAsync(geo, sample, expected) is null)
            {
                sampleConverged = healed.Elapsed;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }

        // Then every counter, in every region: identical record (state bytes, vector, commit time and region) holding every increment.
        var checking = Stopwatch.StartNew();
        var difference = await DifferenceAsync(geo, ids, expected);
        var checkTime = checking.Elapsed;
        if (difference is not null)
        {
            throw new InvalidOperationException($"Outboxes drained and the sample identical, but not every counter converged: {difference}");
        }

        var trafficAfter = pairs.Select(p => geo.Replication.Get(p.Source, p.Target)).ToArray();
        var changesSent = trafficAfter.Zip(trafficBefore).Sum(t => t.First.ChangesSent - t.Second.ChangesSent);
        var payloadBytes = trafficAfter.Zip(trafficBefore).Sum(t => t.First.PayloadBytes - t.Second.PayloadBytes);
        var rawBytes = trafficAfter.Zip(trafficBefore).Sum(t => t.First.RawBytes - t.Second.RawBytes);
        var lastLinkThrough = firstThrough.Max(t => t ?? drained.Value);
        log($"[active-active] {changesSent:N0} changes sent ({rawBytes / Math.Max(1, changesSent)} raw, {payloadBytes / Math.Max(1, changesSent)} compressed bytes each, retries included); last link's first batch through {lastLinkThrough.TotalMilliseconds:0} ms after healing");
        log($"[active-active] converged: outboxes drained {drained.Value.TotalMilliseconds:0} ms, sample identical {sampleConverged.Value.TotalMilliseconds:0} ms after healing; full check {checkTime.TotalSeconds:0.0} s");
        return new ConvergenceRun(grains, regions.Count, writeTime, partitionLasted, lastLinkThrough, drained.Value, sampleConverged.Value, checkTime,
            changesSent, (double)rawBytes / Math.Max(1, changesSent), (double)payloadBytes / Math.Max(1, changesSent));
    }

    // The first grain whose stored records differ between regions or miss an increment; null when all agree.
    private static async Task<string?> DifferenceAsync(GeoTestCluster geo, IReadOnlyList<GrainId> grains, long expected)
    {
        var regions = geo.Regions;
        foreach (var chunk in grains.Chunk(256))
        {
            var results = await Task.WhenAll(chunk.Select(async grain =>
            {
                GeoRecord? first = null;
                foreach (var region in regions)
                {
                    var record = (await geo[region].Store.ReadAsync(grain))?.Record;
                    if (record is null)
                    {
                        return $"{region} stores no record of {grain}";
                    }

                    if (first is null)
                    {
                        var value = GeoStateSerializer.Deserialize<PNCounter>(record.State).Value;
                        if (value != expected)
                        {
                            return $"{region} stores {value} for {grain}, not {expected}";
                        }

                        first = record;
                    }
                    else if (!record.State.AsSpan().SequenceEqual(first.State) || !Equals(record.Vector, first.Vector)
                             || record.CommittedAt != first.CommittedAt || record.CommittedIn != first.CommittedIn || record.Version != first.Version)
                    {
                        return $"{region} stores {record.Vector} for {grain}, {regions[0]} {first.Vector}";
                    }
                }

                return null;
            }));
            if (results.FirstOrDefault(r => r is not null) is { } difference)
            {
                return difference;
            }
        }

        return null;
    }

    /// <summary>
    /// What one operation ships, per CRDT and state size: the whole state against its delta (<c>DeltaSince</c> the state
    /// before the operation), as JSON (how states are stored and shipped), as Orleans' serializer writes the CRDT,
    /// and as one replicated change (record with its JSON state and vector, Orleans-serialized, before batch compression).
    /// </summary>
    public static IReadOnlyList<BytesPerOperation> BytesPerOperation(int[] sizes)
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        RegionId writer = "us-east";
        var rows = new List<BytesPerOperation>();
        foreach (var n in sizes)
        {
            // A counter with n writers (a region, or a writer per silo or device) of which us-east increments its own.
            var counter = Enumerable.Range(0, n).Aggregate(PNCounter.Zero, (c, i) => c.Add(i == 0 ? writer : $"region-{i:000}", 1000 + i));
            var incremented = counter.Increment(writer);
            rows.Add(Row(serializer, "PN-Counter", "increment", n, incremented, incremented.DeltaSince(counter)));

            // Sets of n SKUs, added by three regions in turn.
            RegionId[] adders = ["us-east", "eu-west", "apac-east"];
            var gset = Enumerable.Range(0, n).Aggregate(GSet<string>.Empty, (s, i) => s.Add(Sku(i)));
            var grown = gset.Add(Sku(n));
            rows.Add(Row(serializer, "G-Set", "add", n, grown, grown.DeltaSince(gset)));

            var orset = Enumerable.Range(0, n).Aggregate(ORSet<string>.Empty, (s, i) => s.Add(adders[i % 3], Sku(i)));
            var added = orset.Add(writer, Sku(n));
            rows.Add(Row(serializer, "OR-Set", "add", n, added, added.DeltaSince(orset)));
            var removed = orset.Remove(Sku(0));
            rows.Add(Row(serializer, "OR-Set", "remove", n, removed, removed.DeltaSince(orset)));
        }

        return rows;
    }

    private static string Sku(int i) => $"sku-{i:000000}";

    private static BytesPerOperation Row<TState, TDelta>(Serializer serializer, string type, string operation, int elements, TState state, TDelta delta)
        where TState : class
        where TDelta : class
    {
        var stateJson = GeoStateSerializer.Serialize(state);
        var deltaJson = GeoStateSerializer.Serialize(delta);
        RegionId source = "us-east";
        var vector = VersionVector.Empty.With(new Dot("us-east", 1_234)).With(new Dot("eu-west", 987)).With(new Dot("apac-east", 1_001));
        var grain = GrainId.Create("benchactivecounter", "conv-000000-1234");
        int Change(byte[] json) => serializer.SerializeToArray(new ReplicatedChange(grain,
            new GeoRecord(3_222, 0, new HybridTimestamp(1_760_000_000_000, 3), source, json, Vector: vector))).Length;
        return new BytesPerOperation(type, operation, elements,
            stateJson.Length, deltaJson.Length,
            serializer.SerializeToArray(state).Length, serializer.SerializeToArray(delta).Length,
            Change(stateJson), Change(deltaJson));
    }
}

/// <summary>Sequential write latency per grain kind: best round per statistic.</summary>
internal sealed record WriteLatencies(LatencySummary Plain, LatencySummary ActiveActive, LatencySummary Owned, int Rounds);

/// <summary>One partition-write-heal run: how long writing took, how long the partition lasted, and when the regions agreed after healing.</summary>
internal sealed record ConvergenceRun(
    int Grains, int Regions, TimeSpan Writing, TimeSpan Partitioned, TimeSpan LastLinkThrough, TimeSpan Drained, TimeSpan SampleIdentical, TimeSpan FullCheck,
    long ChangesSent, double RawBytesPerChange, double PayloadBytesPerChange);

/// <summary>Bytes one operation ships with the whole state against with a delta, in three encodings.</summary>
internal sealed record BytesPerOperation(
    string Type, string Operation, int Elements, int StateJson, int DeltaJson, int StateOrleans, int DeltaOrleans, int StateChange, int DeltaChange);
