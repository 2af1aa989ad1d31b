using GeoGrains.Configuration;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GeoGrains.Benchmarks;

/// <summary>The geo grain scenarios: write latency and throughput against plain Orleans, replication lag, bytes per write.</summary>
internal static class GeoGrainBenchmarks
{
    /// <summary>Sequential writes from a client in the home region: a geo grain against a plain grain on the same storage.</summary>
    public static async Task<(LatencySummary Geo, LatencySummary Plain)> WriteLatencyAsync(GeoTestCluster geo, int samples, int warmUp)
    {
        var client = geo.Client("us-east");
        async Task<LatencySummary> Measure(Func<int, Task> write)
        {
            for (var i = 0; i < warmUp; i++)
            {
                await write(i);
            }

            var elapsed = new List<TimeSpan>(samples);
            for (var i = 0; i < samples; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await write(i);
                elapsed.Add(Stopwatch.GetElapsedTime(started));
            }

            return LatencySummary.From(elapsed);
        }

        // Interleave the two so that neither gets a quieter machine than the other.
        var plain1 = await Measure(i => client.GetGrain<IPlainProfileGrain>($"us-east/lat-{i % 100}").Visit());
        var geo1 = await Measure(i => client.GetGrain<IBenchProfileGrain>($"us-east/lat-{i % 100}").Visit());
        var plain2 = await Measure(i => client.GetGrain<IPlainProfileGrain>($"us-east/lat-{i % 100}").Visit());
        var geo2 = await Measure(i => client.GetGrain<IBenchProfileGrain>($"us-east/lat-{i % 100}").Visit());
        return (geo1.P50Ms <= geo2.P50Ms ? geo1 : geo2, plain1.P50Ms <= plain2.P50Ms ? plain1 : plain2);
    }

    /// <summary>Closed-loop writes from <paramref name="writers"/> concurrent callers for <paramref name="duration"/>.</summary>
    public static async Task<(double Geo, double Plain)> ThroughputAsync(GeoTestCluster geo, int writers, TimeSpan duration)
    {
        var client = geo.Client("us-east");
        async Task<double> Measure(Func<int, int, Task> write)
        {
            var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var counts = await Task.WhenAll(Enumerable.Range(0, writers).Select(async w =>
            {
                var n = 0;
                while (Stopwatch.GetTimestamp() < stopAt)
                {
                    await write(w, n++);
                }

                return n;
            }));
            return counts.Sum() / duration.TotalSeconds;
        }

        await Measure((w, n) => client.GetGrain<IPlainProfileGrain>($"us-east/tp-{w}").Visit());
        var plain = await Measure((w, n) => client.GetGrain<IPlainProfileGrain>($"us-east/tp-{w}").Visit());
        var replicated = await Measure((w, n) => client.GetGrain<IBenchProfileGrain>($"us-east/tp-{w}").Visit());
        return (replicated, plain);
    }

    /// <summary>Replication lag per ordered region pair under an open-loop load of <paramref name="writesPerSecond"/> spread over every region.</summary>
    public static async Task<IReadOnlyList<PairLag>> LagAsync(GeoTestCluster geo, double writesPerSecond, TimeSpan duration)
    {
        var samples = new ConcurrentDictionary<(string Source, string Target), ConcurrentBag<double>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ReplicationMetrics.MeterName && instrument.Name == "geograins.replication.lag")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        var measuring = false;
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            if (!Volatile.Read(ref measuring))
            {
                return;
            }

            string? source = null, target = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "source") source = tag.Value as string;
                if (tag.Key == "target") target = tag.Value as string;
            }

            samples.GetOrAdd((source!, target!), _ => []).Add(value);
        });
        listener.Start();

        var regions = geo.Regions;
        Task Write(int i)
        {
            var home = regions[i % regions.Count];
            return geo.Client(home).GetGrain<IBenchProfileGrain>($"{home}/lag-{i % 600}").Visit();
        }

        await OpenLoop.RunAsync(writesPerSecond, TimeSpan.FromSeconds(1), Write);
        Volatile.Write(ref measuring, true);
        await OpenLoop.RunAsync(writesPerSecond, duration, Write);

        // Let the last changes arrive before reading the samples.
        await WaitUntilQuietAsync(geo);
        Volatile.Write(ref measuring, false);

        return [.. samples
            .OrderBy(p => p.Key.Source).ThenBy(p => p.Key.Target)
            .Select(p => new PairLag(p.Key.Source, p.Key.Target, geo.Topology.OneWayDelay(p.Key.Source, p.Key.Target).TotalMilliseconds,
                LatencySummary.From(p.Value.Select(TimeSpan.FromMilliseconds).ToList())))];
    }

    /// <summary>Bytes on the wire (both directions) per replicated write, for one replication configuration.</summary>
    public static async Task<BytesPerWrite> BytesPerWriteAsync(string name, Action<ReplicationOptions> configure, double writesPerSecond, TimeSpan duration)
    {
        await using var geo = await new GeoTestClusterBuilder()
            .WithRegions("us-east", "eu-west")
            .ConfigureSilo((_, silo) => silo.Services.PostConfigure<GeoGrainsOptions>(o => configure(o.Replication)))
            .StartAsync();
        var client = geo.Client("us-east");
        await client.GetGrain<IBenchProfileGrain>("us-east/warm").Visit();
        await WaitUntilQuietAsync(geo);

        var before = geo.Meter.Get("us-east", "eu-west") + geo.Meter.Get("eu-west", "us-east");
        var shippedBefore = geo.Replication.Get("us-east", "eu-west");
        var writes = await OpenLoop.RunAsync(writesPerSecond, duration, i => client.GetGrain<IBenchProfileGrain>($"us-east/bytes-{i % 200}").Visit());
        await WaitUntilQuietAsync(geo);
        var traffic = geo.Meter.Get("us-east", "eu-west") + geo.Meter.Get("eu-west", "us-east") - before;
        var shipped = geo.Replication.Get("us-east", "eu-west");
        return new BytesPerWrite(name, writes, traffic.Bytes, (double)traffic.Bytes / writes,
            shipped.ChangesSent - shippedBefore.ChangesSent, shipped.BatchesSent - shippedBefore.BatchesSent);
    }

    private static Task WaitUntilQuietAsync(GeoTestCluster geo) => geo.WaitForReplicationAsync(TimeSpan.FromSeconds(60));
}

internal sealed record PairLag(string Source, string Target, double OneWayMs, LatencySummary Lag)
{
    public bool MeetsTarget => Lag.P50Ms <= OneWayMs + 5 && Lag.P99Ms <= OneWayMs + 50;
}

internal sealed record BytesPerWrite(string Configuration, int Writes, long Bytes, double BytesPerReplicatedWrite, long ChangesShipped, long BatchesShipped);
