using GeoGrains.Configuration;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GeoGrains.Benchmarks;

/// <summary>
/// What the replication stream really carries per operation on active-active CRDT grains, with delta shipping on and
/// off: the same sequential writes from us-east, the bytes counted by the shipper (<see cref="ReplicationMetrics"/>)
/// towards the two other regions, and every region checked to store identical records afterwards.
/// </summary>
internal static class StreamBytesBenchmark
{
    private const int Grains = 10;

    /// <summary>One write per this interval (each grain written every ten intervals).</summary>
    public static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(2);

    public static async Task<IReadOnlyList<StreamBytesRun>> RunAsync(bool shipDeltas, int operations, Action<string> log)
    {
        await using var geo = await new GeoTestClusterBuilder()
            .WithSilosPerRegion(1)
            .WithCallTimeout(TimeSpan.FromSeconds(2))
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o =>
            {
                o.Failover.Automatic = false;
                o.Replication.ShipDeltas = shipDeltas;
            }))
            .StartAsync();
        var client = geo.Client(ActiveActiveBenchmark.Home);
        var runs = new List<StreamBytesRun>();

        // A counter with an entry per region, incremented in us-east.
        var counters = Enumerable.Range(0, Grains).Select(i => $"bytes-counter-{i}").ToArray();
        foreach (var region in geo.Regions)
        {
            foreach (var counter in counters)
            {
                await geo.Client(region).GetGrain<IBenchActiveCounterGrain>(counter).Add(1);
            }
        }

        runs.Add(await MeasureAsync(geo, "PN-Counter", "increment", 3, operations, i => client.GetGrain<IBenchActiveCounterGrain>(counters[i % Grains]).Add(1),
            counters.Select(c => client.GetGrain<IBenchActiveCounterGrain>(c).GetGrainId()), shipDeltas, log));

        // Sets of n SKUs, changed in us-east: an add of a new SKU, then a remove of an old one, in turn.
        foreach (var n in new[] { 100, 1000 })
        {
            var sets = Enumerable.Range(0, Grains).Select(i => $"bytes-set-{n}-{i}").ToArray();
            foreach (var set in sets)
            {
                await client.GetGrain<IBenchSkuSetGrain>(set).Add([.. Enumerable.Range(0, n).Select(Sku)]);
            }

            runs.Add(await MeasureAsync(geo, "OR-Set", "add / remove", n, operations, i =>
                {
                    var grain = client.GetGrain<IBenchSkuSetGrain>(sets[i % Grains]);
                    var step = i / Grains;
                    return step % 2 == 0 ? grain.Add(Sku(n + step)) : grain.Remove(Sku(step));
                },
                sets.Select(s => client.GetGrain<IBenchSkuSetGrain>(s).GetGrainId()), shipDeltas, log));
        }

        return runs;
    }

    private static string Sku(int i) => $"sku-{i:000000}";

    private static async Task<StreamBytesRun> MeasureAsync(
        GeoTestCluster geo, string type, string operation, int elements, int operations, Func<int, Task> write, IEnumerable<GrainId> grains, bool shipDeltas, Action<string> log)
    {
        await StorageBenchmarks.WaitForOutboxAsync(geo);
        var metrics = StorageBenchmarks.Services(geo, ActiveActiveBenchmark.Home).GetRequiredService<ReplicationMetrics>();
        var targets = geo.Regions.Where(r => r != ActiveActiveBenchmark.Home).ToArray();
        var before = targets.Select(t => metrics.Get(ActiveActiveBenchmark.Home, t)).ToArray();
        // Paced, as an application writes over time: unpaced in-memory writes would all finish within one round trip,
        // before any acknowledgement a delta could be taken against.
        using (var pace = new PeriodicTimer(Pace))
        {
            for (var i = 0; i < operations; i++)
            {
                await pace.WaitForNextTickAsync();
                await write(i);
            }
        }

        await StorageBenchmarks.WaitForOutboxAsync(geo);
        var after = targets.Select(t => metrics.Get(ActiveActiveBenchmark.Home, t)).ToArray();
        long Sum(Func<ReplicationTraffic, long> counter) => after.Zip(before).Sum(p => counter(p.First) - counter(p.Second));

        // The regions agree byte for byte on every grain written.
        foreach (var grain in grains)
        {
            var records = new List<GeoRecord>();
            foreach (var region in geo.Regions)
            {
                records.Add((await geo[region].Store.ReadAsync(grain))?.Record ?? throw new InvalidOperationException($"{region} stores no record of {grain}."));
            }

            if (records.Any(r => !r.State.AsSpan().SequenceEqual(records[0].State) || !Equals(r.Vector, records[0].Vector)))
            {
                throw new InvalidOperationException($"The regions store different records of {grain} after the {type} writes.");
            }
        }

        var run = new StreamBytesRun(type, operation, elements, shipDeltas, operations, targets.Length,
            Sum(t => t.ChangesSent), Sum(t => t.DeltasSent), Sum(t => t.DeltasRefused), Sum(t => t.RawBytes), Sum(t => t.PayloadBytes));
        log($"[active-active] stream bytes, deltas {(shipDeltas ? "on" : "off")}, {type} {elements:N0}: {run.ChangesSent:N0} changes ({run.DeltasSent:N0} deltas), " +
            $"{run.RawBytes / (double)(operations * targets.Length):0} raw / {run.PayloadBytes / (double)(operations * targets.Length):0} compressed bytes per operation per region");
        return run;
    }
}

/// <summary>One measured series: what the stream carried from us-east to the other regions for <see cref="Operations"/> writes.</summary>
internal sealed record StreamBytesRun(
    string Type, string Operation, int Elements, bool ShipDeltas, int Operations, int Targets, long ChangesSent, long DeltasSent, long DeltasRefused, long RawBytes, long PayloadBytes)
{
    public double RawPerOperation => RawBytes / (double)(Operations * Targets);

    public double PayloadPerOperation => PayloadBytes / (double)(Operations * Targets);
}
