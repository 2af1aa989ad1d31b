using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using GeoGrains.Benchmarks;
using GeoGrains.Runtime.Hosting;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

// Usage: dotnet run -c Release --project tests/GeoGrains.Benchmarks [-- --scenario all|links|geo --samples 200 --warm-up 20
//        --json <file> --update-docs <PERFORMANCE.md>]
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var samples = 200;
var warmUp = 20;
var scenario = "all";
string? json = null;
string? docs = null;
var changeFeed = true;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--samples": samples = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--warm-up": warmUp = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--scenario": scenario = Next(); break;
        case "--json": json = Next(); break;
        case "--update-docs": docs = Next(); break;
        case "--no-change-feed": changeFeed = false; break;
        default:
            Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --scenario all|links|geo --samples N --warm-up N --json FILE --update-docs FILE");
            return 2;
    }
}

var machine = $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
var sections = new List<(string Name, string Title, string Table)>();
var results = new Dictionary<string, object>();
var allMet = true;

if (scenario is "all" or "links")
{
    Console.WriteLine($"[links] 3 regions, 1 silo each; {samples} samples per pair after {warmUp} warm-up calls...");
    await using var geo = await new GeoTestClusterBuilder().StartAsync();
    var links = await LinkLatencyBenchmark.RunAsync(geo, samples, warmUp);
    var table = new StringBuilder();
    table.AppendLine("| call | emulated RTT | p50 | p99 | p50 / emulated | p99 / emulated | p50 − emulated | target p50 ≤ 1.05×RTT+1 ms |");
    table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
    var local = links.InRegion.Latency;
    table.AppendLine($"| in-region grain call ({links.InRegion.From}, baseline) | – | {local.P50Ms:0.00} ms | {local.P99Ms:0.00} ms | – | – | – | – |");
    foreach (var pair in links.CrossRegion)
    {
        var l = pair.Latency;
        table.AppendLine(
            $"| {pair.From} → {pair.To} | {pair.EmulatedRttMs:0} ms | {l.P50Ms:0.00} ms | {l.P99Ms:0.00} ms | {l.P50Ms / pair.EmulatedRttMs:0.000} | {l.P99Ms / pair.EmulatedRttMs:0.000} | {l.P50Ms - pair.EmulatedRttMs:0.00} ms | {Verdict(pair.MeetsTarget)} |");
    }

    sections.Add(("link-latency", $"{samples} calls per row after {warmUp} warm-up calls, 3 regions with 1 silo each.", table.ToString()));
    results["links"] = links;
}

if (scenario is "all" or "geo")
{
    Console.WriteLine($"[geo] 3 regions, 1 silo each, WAN emulation on, change feed {(changeFeed ? "on" : "off")}...");
    await using (var geo = await new GeoTestClusterBuilder()
        .ConfigureSilo((_, silo) => silo.Services.PostConfigure<GeoGrainsOptions>(o => o.ChangeFeed = changeFeed))
        .StartAsync())
    {
        var (geoLatency, plainLatency) = await GeoGrainBenchmarks.WriteLatencyAsync(geo, samples * 5, warmUp * 5);
        var latencyMet = geoLatency.P50Ms <= plainLatency.P50Ms * 1.3;
        var table = new StringBuilder();
        table.AppendLine("| write, from a client in the home region | p50 | p99 | p50 / plain | target p50 ≤ 1.3× plain |");
        table.AppendLine("|---|---:|---:|---:|---|");
        table.AppendLine($"| plain Orleans grain, `IPersistentState` on the region's storage (baseline) | {plainLatency.P50Ms:0.000} ms | {plainLatency.P99Ms:0.000} ms | 1.00 | – |");
        table.AppendLine($"| `GeoGrain` (outbox + commit + change feed; replicated to 2 regions) | {geoLatency.P50Ms:0.000} ms | {geoLatency.P99Ms:0.000} ms | {geoLatency.P50Ms / plainLatency.P50Ms:0.00} | {Verdict(latencyMet)} |");
        sections.Add(("geo-write-latency", $"{samples * 5} sequential writes each (best of two interleaved runs), 100 grains, us-east.", table.ToString()));
        results["writeLatency"] = new { geo = geoLatency, plain = plainLatency };
        allMet &= latencyMet;

        const int writers = 32;
        var (replicated, plain) = await GeoGrainBenchmarks.ThroughputAsync(geo, writers, TimeSpan.FromSeconds(5));
        var throughputMet = replicated >= plain * 0.5;
        table.Clear();
        table.AppendLine("| writes, closed loop from us-east | writes/s | ratio to plain | target ≥ 0.5× plain |");
        table.AppendLine("|---|---:|---:|---|");
        table.AppendLine($"| plain Orleans grain (baseline) | {plain:0} | 1.00 | – |");
        table.AppendLine($"| `GeoGrain`, async replication to 2 regions | {replicated:0} | {replicated / plain:0.00} | {Verdict(throughputMet)} |");
        sections.Add(("geo-throughput", $"{writers} concurrent writers on {writers} grains for 5 s each; every region in this one process, so replication's receivers share the 2 cores.", table.ToString()));
        results["throughput"] = new { geo = replicated, plain };
        allMet &= throughputMet;

        const double rate = 1000;
        var lags = await GeoGrainBenchmarks.LagAsync(geo, rate, TimeSpan.FromSeconds(10));
        table.Clear();
        table.AppendLine("| source → target | one-way delay | lag p50 | lag p99 | p50 − one-way | p99 − one-way | target p50 ≤ +5 ms, p99 ≤ +50 ms |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---|");
        foreach (var pair in lags)
        {
            table.AppendLine(
                $"| {pair.Source} → {pair.Target} | {pair.OneWayMs:0} ms | {pair.Lag.P50Ms:0} ms | {pair.Lag.P99Ms:0} ms | {pair.Lag.P50Ms - pair.OneWayMs:0} ms | {pair.Lag.P99Ms - pair.OneWayMs:0} ms | {Verdict(pair.MeetsTarget)} |");
            allMet &= pair.MeetsTarget;
        }

        sections.Add(("geo-lag", $"{rate:0} writes/s open loop for 10 s, spread over the 3 regions' own grains; lag = commit in the home region to apply in the target, on the hybrid clock (1 ms resolution), {lags.Sum(l => l.Lag.Samples)} samples.", table.ToString()));
        results["lag"] = lags;
    }

    var plainShipping = await GeoGrainBenchmarks.BytesPerWriteAsync("one change per message, uncompressed",
        o => { o.MaxBatchSize = 1; o.MaxBatchesInFlight = 4096; o.BatchInterval = TimeSpan.Zero; o.Compress = false; }, 1000, TimeSpan.FromSeconds(4));
    var batched = await GeoGrainBenchmarks.BytesPerWriteAsync("batched + coalesced + Brotli (default)", _ => { }, 1000, TimeSpan.FromSeconds(4));
    var reduction = 1 - batched.BytesPerReplicatedWrite / plainShipping.BytesPerReplicatedWrite;
    var bytesMet = reduction >= 0.6;
    var bytesTable = new StringBuilder();
    bytesTable.AppendLine("| shipping | writes | changes shipped | batches | bytes on the wire | bytes per replicated write | reduction | target ≥ 60% |");
    bytesTable.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
    bytesTable.AppendLine($"| {plainShipping.Configuration} (baseline) | {plainShipping.Writes} | {plainShipping.ChangesShipped} | {plainShipping.BatchesShipped} | {plainShipping.Bytes} | {plainShipping.BytesPerReplicatedWrite:0} | – | – |");
    bytesTable.AppendLine($"| {batched.Configuration} | {batched.Writes} | {batched.ChangesShipped} | {batched.BatchesShipped} | {batched.Bytes} | {batched.BytesPerReplicatedWrite:0} | {reduction:P0} | {Verdict(bytesMet)} |");
    sections.Add(("geo-bytes", "us-east → eu-west (and its acknowledgements), 1000 writes/s for 4 s over 200 profile grains (~290-byte JSON state); bytes counted on the inter-region connections.", bytesTable.ToString()));
    results["bytes"] = new { plainShipping, batched, reduction };
    allMet &= bytesMet;
}

foreach (var (name, title, table) in sections)
{
    Console.WriteLine();
    Console.WriteLine($"## {name}: {title}");
    Console.Write(table);
}

Console.WriteLine($"Machine: {machine}");
if (json is not null)
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(json))!);
    await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new { machine, samples, warmUp, results }, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"Wrote {json}");
}

if (docs is not null)
{
    foreach (var (name, title, table) in sections)
    {
        await PerformanceDoc.UpdateSectionAsync(docs, name, $"""
            Measured {DateTime.UtcNow:yyyy-MM-dd} on {machine}. {title}

            {table}
            """);
    }

    Console.WriteLine($"Updated {docs}");
}

return allMet ? 0 : 1;

static string Verdict(bool met) => met ? "met" : "MISSED";
