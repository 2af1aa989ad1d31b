using System.Diagnostics;
using GeoGrains.Testing;

namespace GeoGrains.Benchmarks;

internal static class StorageDiagnostics
{
    public static async Task RunAsync(StorageRequestMeter requests, int samples, string[] regions, Action<GeoTestClusterBuilder>? configure = null)
    {
        var builder = new GeoTestClusterBuilder().WithRegions([.. regions.Select(r => (RegionId)r)]).WithAzureStorage();
        configure?.Invoke(builder);
        await using var geo = await builder.StartAsync();
        var client = geo.Client("us-east");
        var port = geo["us-east"].Azurite!.Port;
        for (var i = 0; i < 200; i++)
        {
            await client.GetGrain<IPlainProfileGrain>($"us-east/d-{i % 100}").Visit();
            await client.GetGrain<IBenchProfileGrain>($"us-east/d-{i % 100}").Visit();
        }

        async Task Round(string name, Func<int, Task> call)
        {
            var before = requests.ByMethod(port);
            var elapsed = new List<TimeSpan>();
            for (var i = 0; i < samples; i++)
            {
                var t = Stopwatch.GetTimestamp();
                await call(i);
                elapsed.Add(Stopwatch.GetElapsedTime(t));
            }

            var after = requests.ByMethod(port);
            var l = LatencySummary.From(elapsed);
            var methods = string.Join(", ", after.Select(m => (m.Key, d: m.Value - before.GetValueOrDefault(m.Key))).Where(m => m.d.Requests > 0).Select(m => $"{m.Key} {m.d.Requests} x {m.d.MeanMs:0.00} ms"));
            Console.WriteLine($"  [{string.Join("+", regions)}] {name}: p50 {l.P50Ms:0.00} p90 {elapsed.Select(e => e.TotalMilliseconds).Order().ElementAt(samples * 9 / 10):0.00} p99 {l.P99Ms:0.00} | {methods}");
        }

        for (var r = 0; r < 3; r++)
        {
            await Round("plain", i => client.GetGrain<IPlainProfileGrain>($"us-east/d-{i % 100}").Visit());
            await Round("geo  ", i => client.GetGrain<IBenchProfileGrain>($"us-east/d-{i % 100}").Visit());
        }
    }
}
