using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using GeoGrains.Benchmarks;
using GeoGrains.Testing;

// Usage: dotnet run -c Release --project tests/GeoGrains.Benchmarks [-- --samples 200 --warm-up 20 --json <file> --update-docs <PERFORMANCE.md>]
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var samples = 200;
var warmUp = 20;
string? json = null;
string? docs = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--samples": samples = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--warm-up": warmUp = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--json": json = Next(); break;
        case "--update-docs": docs = Next(); break;
        default:
            Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --samples N --warm-up N --json FILE --update-docs FILE");
            return 2;
    }
}

Console.WriteLine($"Starting 3 regions (1 silo each, WAN emulation on); {samples} samples per pair after {warmUp} warm-up calls...");
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
        $"| {pair.From} → {pair.To} | {pair.EmulatedRttMs:0} ms | {l.P50Ms:0.00} ms | {l.P99Ms:0.00} ms | {l.P50Ms / pair.EmulatedRttMs:0.000} | {l.P99Ms / pair.EmulatedRttMs:0.000} | {l.P50Ms - pair.EmulatedRttMs:0.00} ms | {(pair.MeetsTarget ? "met" : "MISSED")} |");
}

var machine = $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
Console.WriteLine();
Console.WriteLine("Cross-region call latency (timed in the calling silo):");
Console.Write(table);
Console.WriteLine($"Machine: {machine}");

if (json is not null)
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(json))!);
    await File.WriteAllTextAsync(json, JsonSerializer.Serialize(new { machine, samples, warmUp, links }, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"Wrote {json}");
}

if (docs is not null)
{
    await PerformanceDoc.UpdateSectionAsync(docs, "link-latency", $"""
        Measured {DateTime.UtcNow:yyyy-MM-dd} on {machine}; {samples} calls per row after {warmUp} warm-up calls,
        3 regions with 1 silo each, `dotnet run -c Release --project tests/GeoGrains.Benchmarks`.

        {table}
        """);
    Console.WriteLine($"Updated {docs}");
}

return links.CrossRegion.All(p => p.MeetsTarget) ? 0 : 1;
