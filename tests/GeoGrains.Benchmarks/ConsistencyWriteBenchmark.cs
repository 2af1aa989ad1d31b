using System.Diagnostics;
using GeoGrains.Testing;

namespace GeoGrains.Benchmarks;

/// <summary>
/// Write latency per durability mode from a client in the home region, each against its physical floor: a plain
/// Orleans write for <see cref="Durability.Async"/>, the emulated round trip to the nearest other region for
/// <see cref="Durability.SemiSync"/>(1), to the farthest for <see cref="Durability.Sync"/>.
/// </summary>
internal static class ConsistencyWriteBenchmark
{
    public const string Home = "us-east";

    public static async Task<IReadOnlyList<DurabilityRow>> RunAsync(GeoTestCluster geo, int samples, int warmUp)
    {
        var client = geo.Client(Home);
        var others = geo.Regions.Where(r => r != Home).Select(r => (Region: r, Rtt: geo.Topology.RoundTrip(Home, r).TotalMilliseconds)).OrderBy(o => o.Rtt).ToList();
        var nearest = others[0];
        var farthest = others[^1];

        async Task<LatencySummary> Measure(int count, Durability? durability, Func<int, Task> write)
        {
            async Task Once(int i)
            {
                if (durability is null)
                {
                    await write(i);
                    return;
                }

                using (GeoContext.Write(durability))
                {
                    await write(i);
                }
            }

            for (var i = 0; i < warmUp; i++)
            {
                await Once(i);
            }

            var elapsed = new List<TimeSpan>(count);
            for (var i = 0; i < count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await Once(i);
                elapsed.Add(Stopwatch.GetElapsedTime(started));
            }

            return LatencySummary.From(elapsed);
        }

        Task Plain(int i) => client.GetGrain<IPlainProfileGrain>($"{Home}/dur-{i % 100}").Visit();
        Task Geo(int i) => client.GetGrain<IBenchProfileGrain>($"{Home}/dur-{i % 100}").Visit();

        // The fast pair twice, interleaved, best of two: neither gets a quieter machine than the other.
        var fast = samples * 5;
        var plain1 = await Measure(fast, null, Plain);
        var async1 = await Measure(fast, Durability.Async, Geo);
        var semiSync = await Measure(samples, Durability.SemiSync(1), Geo);
        var sync = await Measure(samples, Durability.Sync, Geo);
        var plain2 = await Measure(fast, null, Plain);
        var async2 = await Measure(fast, Durability.Async, Geo);
        var plain = plain1.P50Ms <= plain2.P50Ms ? plain1 : plain2;
        var asyncWrites = async1.P50Ms <= async2.P50Ms ? async1 : async2;

        return
        [
            new("plain Orleans grain, `IPersistentState` on the region's in-memory account (floor of Async)", null, plain, plain.P50Ms, null),
            new("`GeoGrain`, `Durability.Async`", "Async", asyncWrites, plain.P50Ms, asyncWrites.P50Ms <= plain.P50Ms * 1.3),
            new($"`GeoGrain`, `Durability.SemiSync(1)` (floor: RTT to {nearest.Region}, the nearest)", "SemiSync(1)", semiSync, nearest.Rtt, semiSync.P50Ms <= nearest.Rtt + 3),
            new($"`GeoGrain`, `Durability.Sync` (floor: RTT to {farthest.Region}, the farthest)", "Sync", sync, farthest.Rtt, sync.P50Ms <= farthest.Rtt + 3 && sync.P99Ms <= 2 * farthest.Rtt + 10),
        ];
    }
}

/// <summary>One mode's write latency beside its floor; <see cref="Met"/> is <see langword="null"/> for the baseline.</summary>
internal sealed record DurabilityRow(string Name, string? Mode, LatencySummary Latency, double FloorMs, bool? Met);
