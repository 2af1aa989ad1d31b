using System.Diagnostics;

namespace GeoGrains.Benchmarks;

/// <summary>
/// The home-region write comparisons of <see cref="StorageBenchmarks"/> with each region in its own processes on its own
/// core (<see cref="RegionProcesses"/>): what a replicated write costs the region that takes it, when the replica
/// region's work runs on the replica region's CPU, as it does in a deployment.
/// </summary>
internal static class RegionProcessBenchmark
{
    public static readonly RegionId Home = StorageBenchmarks.Home;
    public static readonly RegionId Replica = StorageBenchmarks.Replica;

    /// <summary>Sequential writes from a client of the home region to 100 grains: plain against geo, interleaved rounds, the median round per statistic.</summary>
    public static async Task<RegionComparison> WriteLatencyAsync(RegionProcesses regions, int samples, int rounds)
    {
        var client = regions.Client(Home);
        Task Plain(int i) => client.GetGrain<IPlainProfileGrain>($"{Home}/lat-{i % 100}").Visit();
        Task Geo(int i) => client.GetGrain<IBenchProfileGrain>($"{Home}/lat-{i % 100}").Visit();
        for (var i = 0; i < 200; i++)
        {
            await Plain(i);
            await Geo(i);
        }

        await regions.WaitForOutboxAsync();
        var plainRounds = new List<LatencySummary>();
        var geoRounds = new List<LatencySummary>();
        var plainCpu = new List<RegionsCpu>();
        var geoCpu = new List<RegionsCpu>();
        for (var round = 0; round < rounds; round++)
        {
            var before = regions.Cpu();
            plainRounds.Add(await StorageBenchmarks.TimeSequentialAsync(Plain, samples));
            var between = regions.Cpu();
            geoRounds.Add(await StorageBenchmarks.TimeSequentialAsync(Geo, samples));

            // What a geo write leaves to do after it returns (the replica's apply, marker deletion) is its cost too.
            await regions.WaitForOutboxAsync();
            var after = regions.Cpu();
            plainCpu.Add(between - before);
            geoCpu.Add(after - between);
        }

        await ExpectReplicatedAsync(regions, "lat", 100);
        return new RegionComparison(
            StorageBenchmarks.MedianRound(plainRounds),
            StorageBenchmarks.MedianRound(geoRounds),
            CpuPerOperation(plainCpu, samples * rounds),
            CpuPerOperation(geoCpu, samples * rounds));
    }

    /// <summary>Closed-loop writes from <paramref name="writers"/> callers on as many grains, interleaved rounds, the median round for both.</summary>
    public static async Task<RegionThroughput> ThroughputAsync(RegionProcesses regions, int writers, TimeSpan duration, int rounds)
    {
        var client = regions.Client(Home);
        Task Plain(int w) => client.GetGrain<IPlainProfileGrain>($"{Home}/tp-{w}").Visit();
        Task Geo(int w) => client.GetGrain<IBenchProfileGrain>($"{Home}/tp-{w}").Visit();
        await StorageBenchmarks.ClosedLoopAsync(Plain, writers, TimeSpan.FromSeconds(1));
        await StorageBenchmarks.ClosedLoopAsync(Geo, writers, TimeSpan.FromSeconds(1));
        await regions.WaitForOutboxAsync();

        var plainRates = new List<double>();
        var geoRates = new List<double>();
        var replicatedRates = new List<double>();
        var drains = new List<TimeSpan>();
        var plainCpu = new List<RegionsCpu>();
        var geoCpu = new List<RegionsCpu>();
        long plainWrites = 0, geoWrites = 0;
        for (var round = 0; round < rounds; round++)
        {
            var before = regions.Cpu();
            var plain = await StorageBenchmarks.ClosedLoopAsync(Plain, writers, duration);
            var between = regions.Cpu();
            var geo = await StorageBenchmarks.ClosedLoopAsync(Geo, writers, duration);

            // How far replication fell behind the writes: the time after the last write until every change was acknowledged.
            // Counting it, the rate is what reached the other region, not only what the home region accepted.
            var drain = await regions.WaitForOutboxAsync();
            drains.Add(drain);
            replicatedRates.Add(geo / (duration + drain).TotalSeconds);
            var after = regions.Cpu();
            plainRates.Add(plain / duration.TotalSeconds);
            geoRates.Add(geo / duration.TotalSeconds);
            plainCpu.Add(between - before);
            geoCpu.Add(after - between);
            plainWrites += plain;
            geoWrites += geo;
        }

        await ExpectReplicatedAsync(regions, "tp", writers);
        return new RegionThroughput(
            StorageBenchmarks.Median(plainRates),
            StorageBenchmarks.Median(geoRates),
            StorageBenchmarks.Median(replicatedRates),
            drains.Max(),
            CpuPerOperation(plainCpu, plainWrites),
            CpuPerOperation(geoCpu, geoWrites));
    }

    /// <summary>The replica region holds what the home region acknowledged: every geo grain of the run, at its home version.</summary>
    private static async Task ExpectReplicatedAsync(RegionProcesses regions, string prefix, int grains)
    {
        var home = regions.Client(Home);
        var replica = regions.Client(Replica);
        for (var i = 0; i < grains; i++)
        {
            var key = $"{Home}/{prefix}-{i}";
            var written = await home.GetGrain<IBenchProfileGrain>(key).Visits();
            var replicated = await replica.GetGrain<IBenchProfileGrain>(key).Visits();
            if (written == 0 || replicated != written)
            {
                throw new InvalidOperationException($"{key}: {written} visits in {Home}, {replicated} in the {Replica} replica after every change was acknowledged.");
            }
        }
    }

    private static RegionCpuPerOperation CpuPerOperation(IReadOnlyList<RegionsCpu> windows, long operations) => new(
        windows.Sum(w => w.Regions[Home].Silo.TotalMilliseconds) / operations,
        windows.Sum(w => w.Regions[Home].Storage.TotalMilliseconds) / operations,
        windows.Sum(w => w.Regions[Replica].Silo.TotalMilliseconds) / operations,
        windows.Sum(w => w.Regions[Replica].Storage.TotalMilliseconds) / operations,
        windows.Sum(w => w.Clients.TotalMilliseconds) / operations);
}

/// <summary>Milliseconds of CPU per operation: each region's silo and Azurite, and the clients.</summary>
internal sealed record RegionCpuPerOperation(double HomeSiloMs, double HomeStorageMs, double ReplicaSiloMs, double ReplicaStorageMs, double ClientsMs)
{
    public override string ToString() => $"{HomeSiloMs:0.00} + {HomeStorageMs:0.00} / {ReplicaSiloMs:0.00} + {ReplicaStorageMs:0.00} / {ClientsMs:0.00} ms";
}

/// <summary>Sequential write latency, plain against geo, with CPU per write.</summary>
internal sealed record RegionComparison(LatencySummary Plain, LatencySummary Geo, RegionCpuPerOperation PlainCpu, RegionCpuPerOperation GeoCpu);

/// <summary>
/// Closed-loop write rates (best round): plain, geo as acknowledged in the home region, geo as replicated (the round's
/// writes over its duration plus the time until the other region had acknowledged all of them); the longest replication
/// drain after a round; CPU per write.
/// </summary>
internal sealed record RegionThroughput(double Plain, double Geo, double GeoReplicated, TimeSpan Drain, RegionCpuPerOperation PlainCpu, RegionCpuPerOperation GeoCpu);
