using GeoGrains.Testing;

namespace GeoGrains.Benchmarks;

/// <summary>
/// Cross-region call latency per ordered region pair, against the round trip the emulator was told to add, and a plain
/// in-region grain call measured the same way in the same run. Every call is timed inside the calling silo.
/// </summary>
internal static class LinkLatencyBenchmark
{
    public static async Task<LinkLatencyReport> RunAsync(GeoTestCluster geo, int samples, int warmUp)
    {
        var regions = geo.Regions;
        var local = await MeasureAsync(geo, regions[0], regions[0], samples, warmUp);
        var pairs = regions.SelectMany(from => regions.Where(to => to != from).Select(to => (from, to))).ToList();

        // Pairs run side by side (each pair's calls one after another): the machine is idle while calls wait on the emulated WAN.
        var crossRegion = await Task.WhenAll(pairs.Select(async pair =>
        {
            var summary = await MeasureAsync(geo, pair.from, pair.to, samples, warmUp);
            return new PairLatency(pair.from.Value, pair.to.Value, geo.Topology.RoundTrip(pair.from, pair.to).TotalMilliseconds, summary);
        }));

        return new LinkLatencyReport(new PairLatency(regions[0].Value, regions[0].Value, 0, local), crossRegion);
    }

    private static async Task<LatencySummary> MeasureAsync(GeoTestCluster geo, RegionId from, RegionId to, int samples, int warmUp)
    {
        var probe = geo.Client(from).GetGrain<IRegionProbeGrain>(0);
        for (var i = 0; i < warmUp; i++)
        {
            await probe.MeasureRoundTrip(to);
        }

        var elapsed = new List<TimeSpan>(samples);
        for (var i = 0; i < samples; i++)
        {
            elapsed.Add((await probe.MeasureRoundTrip(to)).Elapsed);
        }

        return LatencySummary.From(elapsed);
    }
}

internal sealed record PairLatency(string From, string To, double EmulatedRttMs, LatencySummary Latency)
{
    /// <summary>The target for the link: measured p50 within 1.05 × the emulated round trip plus 1 ms.</summary>
    public bool MeetsTarget => Latency.P50Ms <= EmulatedRttMs * 1.05 + 1;
}

internal sealed record LinkLatencyReport(PairLatency InRegion, IReadOnlyList<PairLatency> CrossRegion);
