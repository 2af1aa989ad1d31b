using GeoGrains.Configuration;
using System.Diagnostics;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GeoGrains.Benchmarks;

/// <summary>
/// The region-aware client as an app sees it: read and write latency placed in each region, with and without direct
/// home routing, and the time from a region's death to the first call that succeeds elsewhere.
/// </summary>
internal static class ClientBenchmark
{
    public static readonly RegionId Owner = "us-east";
    public static readonly RegionId FailoverRegion = "eu-west";

    internal sealed record LatencyRow(RegionId PlacedIn, bool Direct, double OwnerRttMs, LatencySummary Reads, LatencySummary Writes);

    internal sealed record Result(IReadOnlyList<LatencyRow> Latency, LatencySummary Failover, IReadOnlyList<RegionId> FailedOverTo);

    public static async Task<Result> RunAsync(int samples, int warmUp, int failoverRuns, Action<string> log)
    {
        await using var geo = await new GeoTestClusterBuilder()
            // The client is measured, not the platform: no takeover while the failover runs kill a region.
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o => o.Failover.Automatic = false))
            .StartAsync();

        var rows = new List<LatencyRow>();
        foreach (var placedIn in geo.Regions)
        {
            foreach (var direct in new[] { false, true })
            {
                await using var client = await geo.CreateRegionAwareClientAsync(placedIn, o => o.DirectHomeRouting = direct);
                var grain = client.Client.GetGrain<IBenchProfileGrain>($"{Owner}/client-bench-{placedIn}-{direct}-{Guid.NewGuid():N}");
                for (var i = 0; i < warmUp; i++)
                {
                    await grain.Visit();
                    await grain.Visits();
                }

                var writes = new List<TimeSpan>(samples);
                var reads = new List<TimeSpan>(samples);
                for (var i = 0; i < samples; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    await grain.Visit();
                    writes.Add(Stopwatch.GetElapsedTime(started));
                    started = Stopwatch.GetTimestamp();
                    await grain.Visits();
                    reads.Add(Stopwatch.GetElapsedTime(started));
                }

                var row = new LatencyRow(placedIn, direct, geo.Topology.RoundTrip(placedIn, Owner).TotalMilliseconds, LatencySummary.From(reads), LatencySummary.From(writes));
                rows.Add(row);
                log($"  placed in {placedIn}, direct home routing {(direct ? "on" : "off")}: read p50 {row.Reads.P50Ms:0.0} ms, write p50 {row.Writes.P50Ms:0.0} ms");
            }
        }

        // Failover: a client placed in eu-west, default probe settings, a short stable period so that each run starts
        // back in eu-west.
        var times = new List<TimeSpan>();
        var landedIn = new List<RegionId>();
        await using (var client = await geo.CreateRegionAwareClientAsync(FailoverRegion, o => o.FailbackAfter = TimeSpan.FromSeconds(1)))
        {
            var grain = client.Client.GetGrain<IBenchProfileGrain>($"{Owner}/client-failover-{Guid.NewGuid():N}");
            for (var run = 0; run < failoverRuns; run++)
            {
                await WaitForAsync(() => client.Geo.CurrentRegion == FailoverRegion, TimeSpan.FromSeconds(60), "the client back in eu-west");
                await grain.Visits();

                // The clock starts when the region is dead (its silos killed, its gateways refusing).
                await geo.KillRegionAsync(FailoverRegion);
                var started = Stopwatch.GetTimestamp();
                while (true)
                {
                    try
                    {
                        await grain.Visits();
                        break;
                    }
                    catch (NoRegionAvailableException)
                    {
                        // Every region refused before the deadline; try again, the clock runs on.
                    }
                }

                times.Add(Stopwatch.GetElapsedTime(started));
                landedIn.Add(client.Geo.CurrentRegion ?? default);
                log($"  failover run {run + 1}: first successful call {times[^1].TotalMilliseconds:0} ms after eu-west died, now in {client.Geo.CurrentRegion}");
                await geo.RestartRegionAsync(FailoverRegion);
            }
        }

        return new Result(rows, LatencySummary.From(times), landedIn);
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}.");
            }

            await Task.Delay(50);
        }
    }
}
