using GeoGrains.Configuration;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using GeoGrains.Benchmarks;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

// Usage: dotnet run -c Release --project tests/GeoGrains.Benchmarks [-- --scenario all|links|geo|consistency|consistency-reads|consistency-writes|storage|storage-writes|storage-regions|storage-grains|storage-directory|storage-idempotency|failover|client|active-active|active-active-bytes --samples 200 --warm-up 20
//        --failover-runs 5 (kills per number of grains stored) --aa-grains 1000,10000 (active-active counters per convergence run) --json <file> --update-docs <PERFORMANCE.md>]
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.FirstOrDefault() == RegionProcesses.SiloSwitch)
{
    // A region's silo, started by the storage-regions scenario.
    return await RegionProcesses.RunSiloAsync(args[1..]);
}

var samples = 200;
var warmUp = 20;
var scenario = "all";
string? json = null;
string? docs = null;
var changeFeed = true;
var failoverRuns = 5;
int[] convergenceGrains = [1000, 10_000];
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
        case "--failover-runs": failoverRuns = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--aa-grains": convergenceGrains = [.. Next().Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture))]; break;
        default:
            Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --scenario all|links|geo|consistency|consistency-reads|consistency-writes|storage|storage-writes|storage-regions|storage-grains|storage-directory|storage-idempotency|failover|client|active-active|active-active-bytes --samples N --warm-up N --failover-runs N --json FILE --update-docs FILE");
            return 2;
    }
}

string[] scenarios = ["all", "links", "geo", "consistency", "consistency-reads", "consistency-writes", "storage", "storage-writes", "storage-regions", "storage-grains", "storage-directory", "storage-idempotency", "failover", "client", "active-active", "active-active-bytes"];
if (!scenarios.Contains(scenario))
{
    Console.Error.WriteLine($"Unknown scenario '{scenario}'. Scenarios: {string.Join(", ", scenarios)}.");
    return 2;
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
    Console.WriteLine($"[geo] 3 regions on in-memory accounts, 1 silo each, WAN emulation on, change feed {(changeFeed ? "on" : "off")}...");
    await using (var geo = await new GeoTestClusterBuilder()
        .ConfigureSilo((_, silo) => silo.Services.PostConfigure<GeoGrainsOptions>(o => o.ChangeFeed = changeFeed))
        .StartAsync())
    {
        var (geoLatency, plainLatency) = await GeoGrainBenchmarks.WriteLatencyAsync(geo, samples * 5, warmUp * 5);
        var latencyMet = geoLatency.P50Ms <= plainLatency.P50Ms * 1.3;
        var table = new StringBuilder();
        table.AppendLine("| write, from a client in the home region, in-memory account | p50 | p99 | p50 / plain | target p50 ≤ 1.3× plain |");
        table.AppendLine("|---|---:|---:|---:|---|");
        table.AppendLine($"| plain Orleans grain, `IPersistentState` on the region's in-memory account (baseline) | {plainLatency.P50Ms:0.000} ms | {plainLatency.P99Ms:0.000} ms | 1.00 | – |");
        table.AppendLine($"| `GeoGrain` (outbox + commit + change feed; replicated to 2 regions) | {geoLatency.P50Ms:0.000} ms | {geoLatency.P99Ms:0.000} ms | {geoLatency.P50Ms / plainLatency.P50Ms:0.00} | {Verdict(latencyMet)} |");
        sections.Add(("geo-write-latency", $"In-memory accounts. {samples * 5} sequential writes each (best of two interleaved runs), 100 grains, us-east.", table.ToString()));
        results["writeLatency"] = new { geo = geoLatency, plain = plainLatency };
        allMet &= latencyMet;

        const int writers = 32;
        var (replicated, plain) = await GeoGrainBenchmarks.ThroughputAsync(geo, writers, TimeSpan.FromSeconds(5));
        var throughputMet = replicated >= plain * 0.5;
        table.Clear();
        table.AppendLine("| writes, closed loop from us-east, in-memory account | writes/s | ratio to plain | target ≥ 0.5× plain |");
        table.AppendLine("|---|---:|---:|---|");
        table.AppendLine($"| plain Orleans grain (baseline) | {plain:0} | 1.00 | – |");
        table.AppendLine($"| `GeoGrain`, async replication to 2 regions | {replicated:0} | {replicated / plain:0.00} | {Verdict(throughputMet)} |");
        sections.Add(("geo-throughput", $"In-memory accounts. {writers} concurrent writers on {writers} grains for 5 s each; every region in this one process, so replication's receivers share the 2 cores.", table.ToString()));
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

if (scenario is "all" or "consistency-writes")
{
    Console.WriteLine("[consistency-writes] 3 regions on in-memory accounts, 1 silo each, WAN emulation on; writes from us-east per durability mode...");
    await using var geo = await new GeoTestClusterBuilder().StartAsync();
    var rows = await ConsistencyWriteBenchmark.RunAsync(geo, samples, warmUp);
    var table = new StringBuilder();
    table.AppendLine("| write from a client in us-east | p50 | p99 | floor | p50 − floor | p99 − floor | p50 / floor | target |");
    table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
    foreach (var row in rows)
    {
        var l = row.Latency;
        var target = row.Mode switch
        {
            null => "–",
            "Async" => $"p50 ≤ 1.3× plain: {Verdict(row.Met!.Value)}",
            "Sync" => $"p50 ≤ RTT + 3 ms, p99 ≤ 2×RTT + 10 ms: {Verdict(row.Met!.Value)}",
            _ => $"p50 ≤ RTT + 3 ms: {Verdict(row.Met!.Value)}",
        };
        table.AppendLine($"| {row.Name} | {l.P50Ms:0.00} ms | {l.P99Ms:0.00} ms | {row.FloorMs:0.00} ms | {l.P50Ms - row.FloorMs:0.00} ms | {l.P99Ms - row.FloorMs:0.00} ms | {l.P50Ms / row.FloorMs:0.00} | {target} |");
        allMet &= row.Met ?? true;
    }

    sections.Add(("consistency-writes", $"In-memory accounts, 3 regions with 1 silo each, WAN emulation on (us-east ↔ eu-west 100 ms, ↔ apac-east 200 ms). Sequential writes to 100 grains of a type declared Async, the mode chosen per call with `GeoContext.Write`: {samples * 5} per row for plain and Async (best of two interleaved runs), {samples} for SemiSync(1) and Sync, after {warmUp} warm-up writes each.", table.ToString()));
    results["consistencyWrites"] = rows;
}

if (scenario is "all" or "storage" or "storage-idempotency")
{
    // In-memory accounts: what a key adds in GeoGrains' own work (round trips, rows), not the storage service's latency.
    using var requests = new StorageRequestMeter();
    Console.WriteLine("[storage-idempotency] us-east and eu-west on in-memory accounts, 1 silo each, WAN emulation on...");
    await using var geo = await StorageBenchmarks.StartAsync(azure: false);
    var keyed = await StorageBenchmarks.KeyedWriteLatencyAsync(geo, requests, samples * 5, warmUp * 5, rounds: 3);
    var table = new StringBuilder();
    table.AppendLine("| write, from a client in us-east, in-memory account | p50 | p99 | p50 / unkeyed | GeoGrains round trips per write: reads / writes (rows) |");
    table.AppendLine("|---|---:|---:|---:|---:|");
    table.AppendLine($"| `GeoGrain` write without a key (baseline) | {keyed.Plain.P50Ms:0.000} ms | {keyed.Plain.P99Ms:0.000} ms | 1.00 | {GeoOps(keyed.PlainCost)} |");
    table.AppendLine($"| the same write with `GeoContext.Idempotent(key)` (key and result recorded in the record) | {keyed.Geo.P50Ms:0.000} ms | {keyed.Geo.P99Ms:0.000} ms | {keyed.Geo.P50Ms / keyed.Plain.P50Ms:0.00} | {GeoOps(keyed.GeoCost)} |");
    sections.Add(("storage-idempotency", $"In-memory accounts. {samples * 5} sequential writes per round over 100 grains, a new key per keyed write, 3 interleaved rounds; best round per statistic; round trips counted over every round.", table.ToString()));
    results["storageIdempotency"] = keyed;
}

if (scenario is "all" or "storage" or "storage-writes")
{
    using var requests = new StorageRequestMeter();
    Comparison? storageWrites = null;
    Console.WriteLine("[storage] us-east and eu-west, each on its own Azurite, 1 silo each, WAN emulation on...");
    await using (var geo = await StorageBenchmarks.StartAsync(azure: true))
    {
        var writes = await StorageBenchmarks.WriteLatencyAsync(geo, requests, samples * 5, warmUp * 5, rounds: 3);

        // The comparison means something only if the baseline is Orleans' own Azure table storage on the region's Azurite.
        var plainStorage = await StorageBenchmarks.PlainStorageAsync(geo, StorageBenchmarks.Home);
        if (plainStorage.Type != "Orleans.Storage.AzureTableGrainStorage" || plainStorage.StateRows < 100)
        {
            throw new InvalidOperationException($"The plain grains of us-east use {plainStorage.Type}, with {plainStorage.StateRows} rows in the region's grain state table; expected Orleans' AzureTableGrainStorage holding the 100 plain grains.");
        }

        var p50 = writes.Geo.P50Ms / writes.Plain.P50Ms;
        var p99 = writes.Geo.P99Ms / writes.Plain.P99Ms;
        var writeMet = p50 <= 1.3 && p99 <= 2;
        var table = new StringBuilder();
        table.AppendLine("| write, from a client in us-east, on us-east's Azurite | p50 | p99 | p50 / plain | p99 / plain | HTTP requests per write (us-east + eu-west) | mean us-east request | GeoGrains round trips per write: reads / writes (rows) | p50 ≤ 1.3×, p99 ≤ 2× plain, with both regions on the same cores (the target counts regions on their own cores) |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        table.AppendLine($"| plain Orleans grain, `IPersistentState` on Orleans' `AzureTableGrainStorage` (baseline) | {writes.Plain.P50Ms:0.00} ms | {writes.Plain.P99Ms:0.00} ms | 1.00 | 1.00 | {writes.PlainCost.HomeRequestsPerOperation:0.00} + {writes.PlainCost.ReplicaRequestsPerOperation:0.00} | {writes.PlainCost.HomeRequests.MeanMs:0.00} ms | – | – |");
        table.AppendLine($"| `GeoGrain` (record + outbox marker, shipped to eu-west) | {writes.Geo.P50Ms:0.00} ms | {writes.Geo.P99Ms:0.00} ms | {p50:0.00} | {p99:0.00} | {writes.GeoCost.HomeRequestsPerOperation:0.00} + {writes.GeoCost.ReplicaRequestsPerOperation:0.00} | {writes.GeoCost.HomeRequests.MeanMs:0.00} ms | {GeoOps(writes.GeoCost)} | {Shared(writeMet)} |");
        sections.Add(("storage-write-latency", $"One Azurite per region. {samples * 5} sequential writes per round over 100 grains, 3 interleaved rounds; best round per statistic for both rows; requests and round trips counted over every round, including what a geo write leaves to do after it returns (marker deletion, the replica's apply).", table.ToString()));
        results["storageWriteLatency"] = writes;
        storageWrites = writes;

        const int writers = 32;
        var throughput = await StorageBenchmarks.ThroughputAsync(geo, requests, writers, TimeSpan.FromSeconds(5), rounds: 2);
        var rate = throughput.Geo / throughput.Plain;
        var throughputMet = rate >= 0.7;
        table.Clear();
        table.AppendLine("| writes, closed loop from us-east, on us-east's Azurite | writes/s | ratio to plain | HTTP requests per write (us-east + eu-west) | GeoGrains round trips per write: reads / writes (rows) | CPU per write: this process / us-east Azurite / eu-west Azurite | ≥ 0.7× plain, with both regions on the same cores (the target counts regions on their own cores) |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---|");
        table.AppendLine($"| plain Orleans grain on Orleans' `AzureTableGrainStorage` (baseline) | {throughput.Plain:0} | 1.00 | {throughput.PlainCost.HomeRequestsPerOperation:0.00} + {throughput.PlainCost.ReplicaRequestsPerOperation:0.00} | – | {Cpu(throughput.PlainCost)} | – |");
        table.AppendLine($"| `GeoGrain`, replicated to eu-west | {throughput.Geo:0} | {rate:0.00} | {throughput.GeoCost.HomeRequestsPerOperation:0.00} + {throughput.GeoCost.ReplicaRequestsPerOperation:0.00} | {GeoOps(throughput.GeoCost)} | {Cpu(throughput.GeoCost)} | {Shared(throughputMet)} |");
        sections.Add(("storage-throughput", $"One Azurite per region. {writers} concurrent writers on {writers} grains, 5 s per round, 2 interleaved rounds, best round for both rows; the two Azurites and both regions share the 2 cores, so eu-west's applies compete with us-east's writes.", table.ToString()));
        results["storageThroughput"] = throughput;

        var reads = await StorageBenchmarks.WarmReadAsync(geo, requests, samples * 25, warmUp * 5, rounds: 3);
        var readP50 = reads.Geo.P50Ms / reads.Plain.P50Ms;
        var readMet = readP50 <= 1.2;
        table.Clear();
        table.AppendLine("| read, from a client in eu-west | p50 | p99 | p50 / plain | p99 / plain | storage requests per read | cross-region calls per read | target p50 ≤ 1.2× plain |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
        table.AppendLine($"| plain Orleans grain of eu-west returning its in-memory state (baseline) | {reads.Plain.P50Ms:0.000} ms | {reads.Plain.P99Ms:0.000} ms | 1.00 | 1.00 | {reads.PlainCost.ReplicaRequestsPerOperation:0.00} | – | – |");
        table.AppendLine($"| `GeoGrain` `[ReadOnly]` call, warm eu-west replica of a us-east grain | {reads.Geo.P50Ms:0.000} ms | {reads.Geo.P99Ms:0.000} ms | {readP50:0.00} | {reads.Geo.P99Ms / reads.Plain.P99Ms:0.00} | {reads.GeoCost.ReplicaRequestsPerOperation:0.00} | {reads.GeoCost.PerOperation(reads.GeoCost.CrossRegionGrainCalls):0.00} | {Verdict(readMet)} |");
        sections.Add(("storage-warm-read", $"One Azurite per region. {samples * 25} sequential reads per round over 100 grains, 3 interleaved rounds, best round per statistic for both rows.", table.ToString()));
        results["storageWarmRead"] = reads;
        allMet &= readMet;
    }

    // Where a geo write's time goes on this machine: the same comparison with nothing to replicate, and with the replica
    // region's storage taking only CPU the home region does not want (as it would on a machine of its own).
    Comparison alone, yielding;
    await using (var geo = await StorageBenchmarks.StartAsync(azure: true, homeOnly: true))
    {
        alone = await StorageBenchmarks.WriteLatencyAsync(geo, requests, samples * 5, warmUp * 5, rounds: 3);
    }

    await using (var geo = await StorageBenchmarks.StartAsync(azure: true))
    {
        ProcessCpu.LowestPriority(geo[StorageBenchmarks.Replica].Azurite!.ProcessId);
        yielding = await StorageBenchmarks.WriteLatencyAsync(geo, requests, samples * 5, warmUp * 5, rounds: 3);
    }

    var breakdown = new StringBuilder();
    breakdown.AppendLine("| the same writes, from a client in us-east | plain p50 | `GeoGrain` p50 | p50 / plain | p99 / plain | HTTP requests per geo write (us-east + eu-west) | CPU per plain write: this process / us-east Azurite / eu-west Azurite | CPU per geo write: the same |");
    breakdown.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var (name, run) in new[]
             {
                 ("us-east and eu-west, every process at the same priority (the table above)", storageWrites!),
                 ("us-east alone: nothing to replicate, no marker", alone),
                 ("us-east and eu-west, eu-west's Azurite at the lowest CPU priority", yielding),
             })
    {
        breakdown.AppendLine(
            $"| {name} | {run.Plain.P50Ms:0.00} ms | {run.Geo.P50Ms:0.00} ms | {run.Geo.P50Ms / run.Plain.P50Ms:0.00} | {run.Geo.P99Ms / run.Plain.P99Ms:0.00} | {run.GeoCost.HomeRequestsPerOperation:0.00} + {run.GeoCost.ReplicaRequestsPerOperation:0.00} | {Cpu(run.PlainCost)} | {Cpu(run.GeoCost)} |");
    }

    sections.Add(("storage-write-breakdown", $"Each row its own regions on Azurite, measured as the table above ({samples * 5} sequential writes per round, 3 interleaved rounds, best round per statistic). CPU is what this process (client and every silo) and each Azurite used per write over the rounds, read from /proc.", breakdown.ToString()));
    results["storageWriteBreakdown"] = new { alone, yielding };

}

if (scenario is "all" or "storage" or "storage-regions")
{
    Console.WriteLine("[storage] us-east and eu-west as silo processes, each region (silo and Azurite) on a core of its own...");
    await using var regions = await RegionProcesses.StartAsync([RegionProcessBenchmark.Home, RegionProcessBenchmark.Replica]);
    var writes = await RegionProcessBenchmark.WriteLatencyAsync(regions, samples * 5, rounds: 5);
    var stateRows = await regions.GrainStateRowsAsync(RegionProcessBenchmark.Home);
    if (stateRows < 100)
    {
        throw new InvalidOperationException($"us-east's Azurite holds {stateRows} rows of Orleans grain state; expected the 100 plain grains there (AzureTableGrainStorage).");
    }

    var p50 = writes.Geo.P50Ms / writes.Plain.P50Ms;
    var p99 = writes.Geo.P99Ms / writes.Plain.P99Ms;
    var writeMet = p50 <= 1.3 && p99 <= 2;
    var table = new StringBuilder();
    table.AppendLine("| write, from a client of us-east, us-east on core 0, eu-west on core 1 | p50 | p99 | p50 / plain | p99 / plain | CPU per write: us-east silo + Azurite / eu-west silo + Azurite / clients | target p50 ≤ 1.3×, p99 ≤ 2× plain |");
    table.AppendLine("|---|---:|---:|---:|---:|---:|---|");
    table.AppendLine($"| plain Orleans grain, `IPersistentState` on Orleans' `AzureTableGrainStorage` (baseline) | {writes.Plain.P50Ms:0.00} ms | {writes.Plain.P99Ms:0.00} ms | 1.00 | 1.00 | {writes.PlainCpu} | – |");
    table.AppendLine($"| `GeoGrain` (record + outbox marker, shipped to eu-west) | {writes.Geo.P50Ms:0.00} ms | {writes.Geo.P99Ms:0.00} ms | {p50:0.00} | {p99:0.00} | {writes.GeoCpu} | {Verdict(writeMet)} |");
    sections.Add(("storage-regions-write-latency", $"Each region its own silo process and Azurite, pinned to a core of its own (us-east core 0, eu-west core 1); the clients on core 1, where eu-west's processes run at the lowest CPU priority, so that neither the clients nor the replica region take CPU from the region measured. {samples * 5} sequential writes per round over 100 grains, 5 interleaved rounds, the median round per statistic for both rows; CPU per write from /proc over every round, including what a geo write leaves to do after it returns (the replica's apply, marker deletion). Every geo grain checked at its home version in eu-west afterwards.", table.ToString()));
    results["storageRegionsWriteLatency"] = writes;
    allMet &= writeMet;

    const int writers = 32;
    var throughput = await RegionProcessBenchmark.ThroughputAsync(regions, writers, TimeSpan.FromSeconds(5), rounds: 3);
    var rate = throughput.GeoReplicated / throughput.Plain;
    var throughputMet = rate >= 0.7;
    table.Clear();
    table.AppendLine("| writes, closed loop from a client of us-east, us-east on core 0, eu-west on core 1 | writes/s acknowledged | replicated writes/s (until eu-west acknowledged all) | replicated / plain | eu-west caught up after the round | CPU per write: us-east silo + Azurite / eu-west silo + Azurite / clients | target ≥ 0.7× plain |");
    table.AppendLine("|---|---:|---:|---:|---:|---:|---|");
    table.AppendLine($"| plain Orleans grain on Orleans' `AzureTableGrainStorage` (baseline) | {throughput.Plain:0} | – | 1.00 | – | {throughput.PlainCpu} | – |");
    table.AppendLine($"| `GeoGrain`, replicated to eu-west | {throughput.Geo:0} | {throughput.GeoReplicated:0} | {rate:0.00} | {throughput.Drain.TotalMilliseconds:0} ms | {throughput.GeoCpu} | {Verdict(throughputMet)} |");
    sections.Add(("storage-regions-throughput", $"The same regions. {writers} concurrent writers on {writers} grains, 5 s per round, 3 interleaved rounds, the median round for both rows. A geo round's replicated rate counts its writes over the round plus the time after its last write until eu-west had acknowledged every change (the longest such wait in the next column). Every geo grain checked at its home version in eu-west afterwards.", table.ToString()));
    results["storageRegionsThroughput"] = throughput;
    allMet &= throughputMet;
}

if (scenario is "all" or "storage" or "storage-grains")
{
    const int pending = 1000;
    int[] sizes = [1000, 100_000];
    Console.WriteLine($"[storage] grains stored: {pending} orphaned outbox markers, {string.Join(" then ", sizes)} grains stored, on Azurite...");
    IReadOnlyList<StoredGrainsMeasurement> azureStored, memoryStored;
    await using (var geo = await StorageBenchmarks.StartAsync(azure: true, o => o.Replication.OrphanAfter = TimeSpan.FromHours(1)))
    {
        azureStored = await StoredGrainsBenchmark.RunAsync(geo, pending, sizes, rounds: 5, Console.WriteLine);
    }

    Console.WriteLine("[storage] the same on in-memory accounts (control)...");
    await using (var geo = await StorageBenchmarks.StartAsync(azure: false, o => o.Replication.OrphanAfter = TimeSpan.FromHours(1)))
    {
        memoryStored = await StoredGrainsBenchmark.RunAsync(geo, pending, sizes, rounds: 9, Console.WriteLine);
    }

    var recoveryTable = new StringBuilder();
    recoveryTable.AppendLine($"| outbox recovery in us-east, {pending:N0} orphaned markers | grains stored | `Recover()` | of which the marker scan | `Recover()` / with {sizes[0]:N0} stored | round trips in `Recover()`: queries / reads / writes | target ≤ 1.5× |");
    recoveryTable.AppendLine("|---|---:|---:|---:|---:|---:|---|");
    var growthTable = new StringBuilder();
    growthTable.AppendLine($"| us-east | grains stored | cold activation p50 | ratio | its point read alone p50 | ratio | commit p50 | ratio | single-row write alone p50 | ratio |");
    growthTable.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var (name, runs, counts) in new[] { ("Azurite", azureStored, true), ("in-memory account (control)", memoryStored, false) })
    {
        var baseline = runs[0];
        foreach (var run in runs)
        {
            var ratio = run.RecoverMs / baseline.RecoverMs;
            var met = ratio <= 1.5;
            var isBaseline = ReferenceEquals(run, baseline);
            if (!isBaseline && counts)
            {
                allMet &= met;
            }

            var suffix = isBaseline ? " (baseline)" : "";
            recoveryTable.AppendLine(
                $"| {name}{suffix} | {run.Stored:N0} | {run.RecoverMs:0.0} ms | {run.MarkerScanMs:0.0} ms | {ratio:0.00} | {run.RecoveryOperations.Queries} / {run.RecoveryOperations.Reads} / {run.RecoveryOperations.Writes} | {(isBaseline ? "–" : counts ? Verdict(met) : $"{Verdict(met)} (control, not counted)")} |");
            growthTable.AppendLine(
                $"| {name}{suffix} | {run.Stored:N0} | {run.ColdActivation.P50Ms:0.00} ms | {run.ColdActivation.P50Ms / baseline.ColdActivation.P50Ms:0.00} | {run.PointRead.P50Ms:0.000} ms | {run.PointRead.P50Ms / baseline.PointRead.P50Ms:0.00} | {run.Commit.P50Ms:0.00} ms | {run.Commit.P50Ms / baseline.Commit.P50Ms:0.00} | {run.PointWrite.P50Ms:0.000} ms | {run.PointWrite.P50Ms / baseline.PointWrite.P50Ms:0.00} |");
        }
    }

    sections.Add(("storage-outbox-recovery", $"Records and markers written straight into us-east's table in batches of 100; the markers name a silo that is not active, another one each round. `OutboxRecoveryGrain.Recover()` (which records that it adopts the gone silo's markers, one conditional write, then reads each orphaned grain's record) called in the running region, median of 5 rounds on Azurite, 9 in memory (fresh markers each round, timed from a collected .NET heap once Azurite's periodic save of its data is done); the marker scan is the same {new RegionStorageOptions().Partitions} range queries timed alone just before.", recoveryTable.ToString()));
    sections.Add(("storage-growth", "The same regions as the recovery rows, at each size, best of 3 interleaved rounds: cold activation is the first `[ReadOnly]` call to each of 200 stored grains never activated, beside the point read of a record it makes (`GeoStore.ReadAsync`) timed alone; commit is 500 sequential writes to 100 warm grains, beside 500 single-row writes of a record's size straight to the table. Azurite saves its data every 5 s while it is written to, and at 100,000 rows each save holds it up.", growthTable.ToString()));
    results["storageGrainsStored"] = new { azure = azureStored, memory = memoryStored };

}

if (scenario is "all" or "storage" or "storage-directory")
{
    const int overrides = 100_000;
    Console.WriteLine($"[storage] ownership directory: empty, then {overrides:N0} grain overrides, on Azurite...");
    await using (var geo = await StorageBenchmarks.StartAsync(azure: true))
    {
        var directory = await DirectoryBenchmark.RunAsync(geo, overrides, samples * 5, Console.WriteLine);
        var table = new StringBuilder();
        table.AppendLine("| us-east's directory, nothing changing | grain overrides | silo refresh p50 | p99 | p50 / empty | storage round trips per refresh | inter-region bytes/s while quiet (both ways) | directory messages/s | storage writes while quiet | move p50 | move / empty | target refresh ≤ 2× empty |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        var empty = directory[0];
        foreach (var run in directory)
        {
            var isBaseline = ReferenceEquals(run, empty);
            var ratio = run.Refresh.P50Ms / empty.Refresh.P50Ms;
            var met = ratio <= 2;
            if (!isBaseline)
            {
                allMet &= met;
            }

            table.AppendLine(
                $"| {(isBaseline ? "empty (baseline)" : "filled")} | {run.Overrides:N0} | {run.Refresh.P50Ms:0.000} ms | {run.Refresh.P99Ms:0.000} ms | {ratio:0.00} | {(double)run.RefreshStorageOperations / run.Refresh.Samples:0.00} | {run.AntiEntropyBytesPerSecond:0} | {run.AntiEntropyMessagesPerSecond:0.0} | {run.QuietStorageWrites} | {run.Move.P50Ms:0} ms | {run.Move.P50Ms / empty.Move.P50Ms:0.00} | {(isBaseline ? "–" : Verdict(met))} |");
        }

        sections.Add(("storage-directory", $"One Azurite per region, us-east and eu-west. Silo refresh: {samples * 5} sequential `OwnershipCache.RefreshAsync()` calls of us-east's silo, each taking no change. Quiet traffic: every byte between the regions over 10 s with nothing changing: anti-entropy (a round every 5 s each way), replica safe-time heartbeats and region health probes, whatever the number of overrides. Overrides merged into us-east's directory through its grain in changes of 1,000, as moves' updates arrive, then taken by every copy; {10} moves (`RehomeAsync` to eu-west, 100 ms round trip) per row, after the rest.", table.ToString()));
        results["storageDirectory"] = directory;
    }
}

if (scenario is "all" or "consistency" or "consistency-reads")
{
    Console.WriteLine("[consistency] 3 regions on in-memory accounts, 1 silo each, WAN emulation on: reads at each level from each region...");
    await using var geo = await new GeoTestClusterBuilder().StartAsync();
    var rows = await ConsistencyReadBenchmark.RunAsync(geo, samples / 4, warmUp / 4);
    var table = new StringBuilder();
    table.AppendLine("| reader | level | forwarded to the owner | emulated RTT to the owner | p50 | p99 | p50 − RTT | target (forwarded) p50 ≤ RTT + 5 ms |");
    table.AppendLine("|---|---|---:|---:|---:|---:|---:|---|");
    foreach (var row in rows)
    {
        table.AppendLine(
            $"| {row.Reader} | {row.Level} | {row.ForwardedShare:0%} | {row.RoundTripToOwnerMs:0} ms | {row.Latency.P50Ms:0.00} ms | {row.Latency.P99Ms:0.00} ms | {(row.MeetsTarget is null ? "–" : $"{row.Latency.P50Ms - row.RoundTripToOwnerMs:0.00} ms")} | {(row.MeetsTarget is { } met ? Verdict(met) : "– (local)")} |");
        allMet &= row.MeetsTarget ?? true;
    }

    sections.Add(("consistency-reads", $"3 regions, 1 silo each, in-memory accounts, WAN emulation on; a grain owned by us-east, replicated everywhere before the reads; {samples / 4} sequential reads per row after {warmUp / 4} warm-up reads, each reader region's rows side by side; the session has seen the grain's current version.", table.ToString()));
    results["consistencyReads"] = rows;
}

if (scenario is "all" or "failover")
{
    int[] sizes = [1000, 100_000];
    var runsPerSize = failoverRuns;
    const double seedRerouteMs = 10_000;
    const double rtoTargetMs = 5_000;
    Console.WriteLine($"[failover] 3 regions, 1 silo each, in-memory accounts, WAN emulation on, default health and failover settings; us-east killed {runsPerSize} times with each of {string.Join(" and ", sizes.Select(n => n.ToString("N0")))} grains stored, a fresh cluster each time...");
    var runs = await FailoverBenchmark.RunAsync(sizes, runsPerSize, Console.WriteLine);
    var settings = runs[0];
    var detectionMs = settings.FailuresToSuspect * settings.ProbeInterval.TotalMilliseconds;
    var rto = LatencySummary.From([.. runs.Select(r => r.Rto)]);
    var rtoMet = rto.P50Ms <= rtoTargetMs;
    allMet &= rtoMet;

    string Phase(string what, Func<FailoverRun, TimeSpan?> of, string target)
    {
        var times = runs.Select(of).OfType<TimeSpan>().ToList();
        if (times.Count == 0)
        {
            return $"| {what} | 0 of {runs.Count} | – | – | – | – | – | {target} |";
        }

        var l = LatencySummary.From(times);
        var count = times.Count == runs.Count ? $"{runs.Count}" : $"{times.Count} of {runs.Count}";
        return $"| {what} | {count} | {l.P50Ms:0} ms | {l.MinMs:0} ms | {l.MaxMs:0} ms | {l.P50Ms / detectionMs:0.00} | {l.P50Ms / seedRerouteMs:0.00} | {target} |";
    }

    var table = new StringBuilder();
    table.AppendLine("| from `KillRegionAsync(us-east)` to … | runs | p50 | min | max | p50 / detection the settings imply | p50 / the seed's reroute | target |");
    table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
    table.AppendLine($"| detection the settings imply: `FailuresToSuspect` ({settings.FailuresToSuspect}) × `ProbeInterval` ({settings.ProbeInterval.TotalMilliseconds:0} ms) (baseline) | – | {detectionMs:0} ms | – | – | 1.00 | {detectionMs / seedRerouteMs:0.00} | – |");
    table.AppendLine($"| the seed's timeline: writes rerouted at t = 10 s (baseline) | – | {seedRerouteMs:0} ms | – | – | {seedRerouteMs / detectionMs:0.00} | 1.00 | – |");
    table.AppendLine(Phase("us-east suspected (the first survivor's timeline)", r => r.Suspected, "–"));
    table.AppendLine(Phase("us-east declared down by a majority (first survivor)", r => r.DeclaredDown, "–"));
    table.AppendLine(Phase("ownership transferred: the agreed takeover learned (first survivor)", r => r.Transferred, "–"));
    table.AppendLine(Phase("first write served under the takeover's epoch (the successor's timeline)", r => r.FirstWriteServed, "–"));
    table.AppendLine(Phase("**RTO**: first write of a us-east grain acknowledged at a client in eu-west or apac-east", r => r.Rto, $"p50 ≤ {rtoTargetMs / 1000:0} s: {Verdict(rtoMet)}"));
    var grainTimes = runs.SelectMany(r => r.GrainsResumed).Order().ToList();
    var window = FailoverBenchmark.ResumeWindow.TotalMilliseconds;
    string Censored(TimeSpan t) => t == TimeSpan.MaxValue ? $"> {window:0} ms" : $"{t.TotalMilliseconds:0} ms";
    string Ratio(TimeSpan t, double to) => t == TimeSpan.MaxValue ? $"> {window / to:0.00}" : $"{t.TotalMilliseconds / to:0.00}";
    var grainP50 = grainTimes[(grainTimes.Count + 1) / 2 - 1];
    table.AppendLine(
        $"| each us-east grain written from eu-west or apac-east: its writer's first acknowledged write since the kill ({grainTimes.Count(t => t != TimeSpan.MaxValue)} of {grainTimes.Count} within the {window / 1000:0} s given) | {grainTimes.Count} grains | {Censored(grainP50)} | {Censored(grainTimes[0])} | {Censored(grainTimes[^1])} | {Ratio(grainP50, detectionMs)} | {Ratio(grainP50, seedRerouteMs)} | – |");
    sections.Add(("failover-rto", $"3 regions, 1 silo each, in-memory accounts, WAN emulation on (us-east ↔ eu-west 100 ms, ↔ apac-east 200 ms, eu-west ↔ apac-east 250 ms), default settings: probes every {settings.ProbeInterval.TotalSeconds:0.#} s, suspicion after {settings.FailuresToSuspect} failed probes, lease {settings.LeasePeriod.TotalSeconds:0.#} s, call timeout 5 s. {runs.Count} runs, each a fresh cluster ({runsPerSize} with each of {string.Join(" and ", sizes.Select(n => n.ToString("N0")))} grains stored in us-east, interleaved). In each, clients in all three regions write sequentially to {FailoverBenchmark.GrainsPerWriterKind} us-east grains per client region and durability mode, retrying every 50 ms after a failure, for 2 s; then us-east is killed (its silo and client). Times from the survivors' health timelines and the clients' acknowledgements, relative to the moment `KillRegionAsync` was called.", table.ToString()));

    var median = runs.OrderBy(r => r.Rto).ElementAt((runs.Count - 1) / 2);
    var events = new List<(TimeSpan At, string Where, string What)>
    {
        (TimeSpan.Zero, "benchmark", $"`KillRegionAsync(us-east)` called (returned after {median.KillCall.TotalMilliseconds:0} ms)"),
    };
    events.AddRange(median.Timeline.Select(e => (e.At, e.Observer.Value, $"{e.Change} {e.Subject}{(e.Detail.Length > 0 ? $" ({e.Detail})" : "")}")));
    events.AddRange(median.FirstWriteByClient.Where(p => p.Value is not null).Select(p => (p.Value!.Value, $"client in {p.Key}", "first write acknowledged since the kill")));
    table.Clear();
    table.AppendLine("| t (since the kill) | where | event |");
    table.AppendLine("|---:|---|---|");
    foreach (var (at, where, what) in events.OrderBy(e => e.At))
    {
        table.AppendLine($"| {at.TotalMilliseconds:0} ms | {where} | {what} |");
    }

    sections.Add(("failover-timeline", $"The run with the median RTO ({median.Rto.TotalMilliseconds:0} ms; {median.Stored:N0} grains stored; its first write: `{median.FirstWrite.Mode}`, from a client in {median.FirstWrite.Client}, run in {median.FirstWrite.ExecutedIn}). Every event of the two survivors' health timelines since the kill; us-east's own (its lease lapsing) died with it.", table.ToString()));

    table.Clear();
    table.AppendLine("| grains homed in us-east, stored there and in both replicas | runs | RTO p50 | RTO max | RTO p50 / with the fewest | declared down p50 | transferred p50 | storage round trips of both survivors during the takeover (declared down → every survivor learned it): reads / range queries / writes, median | a stored grain's first write after the takeover p50 | its second write p50 | target RTO ≤ 1.5× |");
    table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    double? baselineRto = null;
    foreach (var size in sizes)
    {
        var ofSize = runs.Where(r => r.Stored == size).ToList();
        var l = LatencySummary.From([.. ofSize.Select(r => r.Rto)]);
        baselineRto ??= l.P50Ms;
        var ratio = l.P50Ms / baselineRto.Value;
        var isBaseline = size == sizes[0];
        var met = ratio <= 1.5;
        if (!isBaseline)
        {
            allMet &= met;
        }

        string P50(Func<FailoverRun, TimeSpan?> of) => ofSize.Select(of).OfType<TimeSpan>().ToList() is { Count: > 0 } t ? $"{LatencySummary.From(t).P50Ms:0} ms" : "–";
        table.AppendLine(
            $"| {size:N0}{(isBaseline ? " (baseline)" : "")} | {ofSize.Count} | {l.P50Ms:0} ms | {l.MaxMs:0} ms | {ratio:0.00} | {P50(r => r.DeclaredDown)} | {P50(r => r.Transferred)} | " +
            $"{Median(ofSize.Select(r => (double)r.TakeoverStorage.Reads)):0} / {Median(ofSize.Select(r => (double)r.TakeoverStorage.Queries)):0} / {Median(ofSize.Select(r => (double)r.TakeoverStorage.Writes)):0} | " +
            $"{Median(ofSize.Select(r => r.ColdFirstWriteP50Ms)):0} ms | {Median(ofSize.Select(r => r.ColdSecondWriteP50Ms)):0} ms | {(isBaseline ? "–" : Verdict(met))} |");
    }

    sections.Add(("failover-grains", $"The same runs by the number of grains stored. Each run's grains were written straight into the tables of all three regions (us-east and, as replication leaves them, eu-west and apac-east) at version 1 before the writers started ({runs.Where(r => r.Stored == sizes[^1]).Average(r => r.FillSeconds):0.0} s for {sizes[^1]:N0} in each of the three tables); the writers' grains are among them. Storage round trips counted in eu-west and apac-east together, sampled every 10 ms, from the first survivor declaring us-east down to the last survivor learning the transfer. Cold writes: after the failover, one `Async` write from a client in eu-west to each of {FailoverBenchmark.ColdGrains} stored grains that eu-west took over and nobody wrote since they were stored, all at once, then a second one to each; p50 per run, median over the runs (the floor of the first: the 250 ms round trip to apac-east, whose copy it reads).", table.ToString()));

    table.Clear();
    table.AppendLine("| durability of the writes to us-east grains | grains written (all runs) | writes acknowledged | of which in the last second before the kill | acknowledged but missing from the new owner's state | entries applied twice | target |");
    table.AppendLine("|---|---:|---:|---:|---:|---:|---|");
    foreach (var (mode, _) in FailoverBenchmark.Modes)
    {
        var losses = runs.SelectMany(r => r.Modes).Where(m => m.Mode == mode).ToList();
        var missing = losses.Sum(m => m.Missing);
        var times = losses.SelectMany(m => m.MissingAckedAtMs).Order().ToList();
        var duplicates = losses.Sum(m => m.Duplicates);
        string target;
        if (mode == "Async")
        {
            target = "– (the window: acknowledged in us-east, not yet shipped; reconciled when us-east returns, below)";
        }
        else
        {
            var met = missing == 0 && duplicates == 0;
            allMet &= met;
            target = $"0 missing: {Verdict(met)}";
        }

        var when = times.Count > 0 ? $" (acknowledged between t = {times[0]:+0;-0} ms and t = {times[^1]:+0;-0} ms of the kill)" : "";
        table.AppendLine($"| `{mode}` | {losses.Sum(m => m.Grains)} | {losses.Sum(m => m.Acknowledged)} | {losses.Sum(m => m.AcknowledgedInLastSecond)} | {missing}{when} | {duplicates} | {target} |");
    }

    sections.Add(("failover-rpo", $"The same {runs.Count} runs. Every write a client saw acknowledged (before or after the kill), looked for in the grain's state read at `Strong` through eu-west after the failover (served by the new owner). A write that failed or timed out counts as not acknowledged, even if it committed.", table.ToString()));

    table.Clear();
    table.AppendLine("| after us-east's restart | acknowledged writes missing from the new owners' state after the failover (all modes) | found since in the state or a reconciliation record | restart call (median) | all found after the restart call (median, max) | target |");
    table.AppendLine("|---|---:|---:|---:|---:|---|");
    {
        var reconciled = runs.Select(r => r.Reconciliation).ToList();
        var missingTotal = reconciled.Sum(r => r.Missing);
        var foundTotal = reconciled.Sum(r => r.Found);
        var met = foundTotal == missingTotal;
        allMet &= met;
        var allFound = reconciled.Where(r => r.Missing > 0).Select(r => r.AllFoundAfter.TotalSeconds).ToList();
        var after = allFound.Count == 0 ? "– (nothing missing)" : $"{Median(allFound):0.0} s, {allFound.Max():0.0} s";
        table.AppendLine($"| {runs.Count} runs | {missingTotal} | {foundTotal} | {Median(reconciled.Select(r => r.RestartCall.TotalSeconds)):0.0} s | {after} | every one found (zero silently lost): {Verdict(met)} |");
    }

    sections.Add(("failover-reconciled", "The same runs, continued: us-east restarted after the failover (its storage outlived its silos), and each grain's state (read at `Strong` through eu-west) and reconciliation records (asked of eu-west, which asks every region) searched for every acknowledged write the new owner lacked, up to 60 s. The owners keep their state (the default `OnReconcile`), so a write found is found in a record.", table.ToString()));
    results["failover"] = runs;
}

foreach (var (name, title, table) in sections)
{
    Console.WriteLine();
    Console.WriteLine($"## {name}: {title}");
    Console.Write(table);
}

Console.WriteLine($"Machine: {machine}");
if (scenario is "all" or "client")
{
    Console.WriteLine($"[client] 3 regions, 1 silo each, WAN emulation on; region-aware clients placed in each region, {samples} reads and writes each after {warmUp} warm-up pairs; {failoverRuns} kills of the client's region...");
    var client = await ClientBenchmark.RunAsync(samples, warmUp, failoverRuns, Console.WriteLine);
    var table = new StringBuilder();
    table.AppendLine($"| client placed in | direct home routing | emulated RTT to the owner ({ClientBenchmark.Owner}) | read p50 | read p99 | write p50 | write p99 | write p50 − RTT to owner |");
    table.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
    foreach (var row in client.Latency)
    {
        table.AppendLine($"| {row.PlacedIn} | {(row.Direct ? "on" : "off")} | {row.OwnerRttMs:0} ms | {row.Reads.P50Ms:0.0} ms | {row.Reads.P99Ms:0.0} ms | {row.Writes.P50Ms:0.0} ms | {row.Writes.P99Ms:0.0} ms | {row.Writes.P50Ms - row.OwnerRttMs:0.0} ms |");
    }

    sections.Add(("client-latency", $"Region-aware clients (`UseGeoGrainsClient`, default settings) placed in each region by `CreateRegionAwareClientAsync` (the emulated one-way delay to every region, both ways, on each probe and call); one geo grain homed in {ClientBenchmark.Owner} per row; {samples} sequential write (`Visit`) / read (`Visits`, `[ReadOnly]`, the grain type's default consistency) pairs after {warmUp} warm-up pairs.", table.ToString()));
    var f = client.Failover;
    var failoverTable = new StringBuilder();
    failoverTable.AppendLine("| from the death of the client's region (eu-west) to … | runs | p50 | p99 | min | max | landed in | target p50 ≤ 2 s |");
    failoverTable.AppendLine("|---|---:|---:|---:|---:|---:|---|---|");
    var met = f.P50Ms <= 2000;
    allMet &= met;
    failoverTable.AppendLine($"| the first successful read through another region | {f.Samples} | {f.P50Ms:0} ms | {f.P99Ms:0} ms | {f.MinMs:0} ms | {f.MaxMs:0} ms | {string.Join(", ", client.FailedOverTo.Distinct())} | {Verdict(met)} |");
    sections.Add(("client-failover", $"A region-aware client placed in eu-west (default probe interval 5 s and connect timeout 5 s; `FailbackAfter` 1 s so that each run starts in eu-west again), reading one grain in a loop; `KillRegionAsync(eu-west)` {f.Samples} times, eu-west restarted after each. The clock starts when `KillRegionAsync` returns (the silos are dead, the gateways refuse) and stops at the first read that succeeds.", failoverTable.ToString()));
    results["client"] = client;
}

if (scenario is "all" or "active-active" or "active-active-bytes")
{
    Console.WriteLine("[active-active] bytes per operation, state against delta shipping (no cluster)...");
    int[] setSizes = [10, 100, 1000];
    var bytes = ActiveActiveBenchmark.BytesPerOperation(setSizes);
    var bytesTable = new StringBuilder();
    bytesTable.AppendLine("| CRDT | operation | elements | JSON: state | JSON: delta | state / delta | Orleans serializer: state | delta | one replicated change (record + JSON + vector, Orleans): state | delta | state / delta |");
    bytesTable.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var row in bytes.OrderBy(r => r.Type).ThenBy(r => r.Operation).ThenBy(r => r.Elements))
    {
        bytesTable.AppendLine(
            $"| {row.Type} | {row.Operation} | {row.Elements:N0} | {row.StateJson:N0} | {row.DeltaJson:N0} | {(double)row.StateJson / row.DeltaJson:0.0}× | {row.StateOrleans:N0} | {row.DeltaOrleans:N0} | {row.StateChange:N0} | {row.DeltaChange:N0} | {(double)row.StateChange / row.DeltaChange:0.0}× |");
    }

    sections.Add(("active-active-bytes", "Computed from serialized sizes, no cluster: a counter with that many writers' entries, sets of that many 10-character SKUs (OR-Set adds spread over 3 regions); one operation applied (a counter increment by its first writer, an add of a new SKU, a remove of an existing one). State = the whole new state; delta = the new state's `DeltaSince` the one before (the writer's one entry; the added element with its dot; for the OR-Set, the two context vectors and the removed element's dots). Replicated change = `ReplicatedChange` as the stream serializes it before a batch's Brotli compression, with a 3-region vector.", bytesTable.ToString()));
    results["activeActiveBytes"] = bytes;

    const int streamOperations = 1000;
    var streamRuns = new List<StreamBytesRun>();
    foreach (var shipDeltas in new[] { false, true })
    {
        Console.WriteLine($"[active-active] stream bytes, delta shipping {(shipDeltas ? "on" : "off")}: 3 regions, {streamOperations} sequential writes from us-east per CRDT...");
        streamRuns.AddRange(await StreamBytesBenchmark.RunAsync(shipDeltas, streamOperations, Console.WriteLine));
    }

    var streamTable = new StringBuilder();
    streamTable.AppendLine("| CRDT | operation | elements | whole states: changes sent | raw / compressed bytes per operation per region | deltas: changes sent (as deltas) | raw / compressed bytes per operation per region | whole / delta, raw | whole / delta, compressed |");
    streamTable.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var whole in streamRuns.Where(r => !r.ShipDeltas))
    {
        var delta = streamRuns.Single(r => r.ShipDeltas && r.Type == whole.Type && r.Elements == whole.Elements);
        streamTable.AppendLine(
            $"| {whole.Type} | {whole.Operation} | {whole.Elements:N0} | {whole.ChangesSent:N0} | {whole.RawPerOperation:N0} / {whole.PayloadPerOperation:N0} | {delta.ChangesSent:N0} ({delta.DeltasSent:N0}) | {delta.RawPerOperation:N0} / {delta.PayloadPerOperation:N0} | {whole.RawPerOperation / delta.RawPerOperation:0.0}× | {whole.PayloadPerOperation / delta.PayloadPerOperation:0.0}× |");
    }

    sections.Add(("active-active-stream-bytes", $"Measured on the stream: 3 regions, 1 silo each, in-memory accounts, WAN emulation on, started once with `ShipDeltas = false` and once with `true`. {streamOperations} sequential writes from a client in us-east, one every {StreamBytesBenchmark.Pace.TotalMilliseconds:0} ms, over 10 grains in turn (a counter every region wrote once; sets of that many SKUs: an add of a new SKU and a remove of an old one in turn); bytes counted by us-east's shippers towards the two other regions (`ReplicationMetrics`: raw = serialized changes, compressed = batch payloads after Brotli), divided by operations × 2 regions; every region then checked to store identical records. Writes faster than the round trip coalesce (a grain's latest version ships), and a delta is taken against the version the region acknowledged last, so a delta holds what changed over about one round trip.", streamTable.ToString()));
    results["activeActiveStreamBytes"] = streamRuns;
}

if (scenario is "all" or "active-active")
{
    Console.WriteLine($"[active-active] 3 regions, 1 silo each, in-memory accounts, WAN emulation on, failover off...");
    await using var geo = await ActiveActiveBenchmark.StartAsync();
    var writes = await ActiveActiveBenchmark.WriteLatencyAsync(geo, samples * 5, warmUp * 5, rounds: 3);
    var aaP50 = writes.ActiveActive.P50Ms / writes.Plain.P50Ms;
    var aaMet = aaP50 <= 1.3;
    allMet &= aaMet;
    var table = new StringBuilder();
    table.AppendLine("| counter write (+1), from a client in us-east, in-memory account | p50 | p99 | p50 / plain | p99 / plain | target p50 ≤ 1.3× plain |");
    table.AppendLine("|---|---:|---:|---:|---:|---|");
    table.AppendLine($"| plain Orleans grain, `IPersistentState` on the region's in-memory account (baseline) | {writes.Plain.P50Ms:0.000} ms | {writes.Plain.P99Ms:0.000} ms | 1.00 | 1.00 | – |");
    table.AppendLine($"| active-active `GeoGrain<PNCounter>` (`Writers = AnyRegion`, `Crdt`): local commit with its vector, replicated to 2 regions | {writes.ActiveActive.P50Ms:0.000} ms | {writes.ActiveActive.P99Ms:0.000} ms | {aaP50:0.00} | {writes.ActiveActive.P99Ms / writes.Plain.P99Ms:0.00} | {Verdict(aaMet)} |");
    table.AppendLine($"| single-owner `GeoGrain<PNCounter>` homed in us-east (reference) | {writes.Owned.P50Ms:0.000} ms | {writes.Owned.P99Ms:0.000} ms | {writes.Owned.P50Ms / writes.Plain.P50Ms:0.00} | {writes.Owned.P99Ms / writes.Plain.P99Ms:0.00} | – |");
    sections.Add(("active-active-write-latency", $"3 regions, 1 silo each, in-memory accounts, WAN emulation on. {samples * 5} sequential writes per round over 100 grains of each kind, 3 interleaved rounds, best round per statistic; afterwards every region checked to hold each active-active counter's full total.", table.ToString()));
    results["activeActiveWriteLatency"] = writes;

    var options = StorageBenchmarks.Services(geo, ActiveActiveBenchmark.Home).GetRequiredService<Microsoft.Extensions.Options.IOptions<GeoGrainsOptions>>().Value.Replication;
    var maxRtt = geo.Regions.SelectMany(a => geo.Regions.Where(b => b != a).Select(b => geo.Topology.RoundTrip(a, b).TotalMilliseconds)).Max();
    var runs = new List<ConvergenceRun>();
    foreach (var n in convergenceGrains)
    {
        Console.WriteLine($"[active-active] convergence: {n:N0} counters, every link cut, every region writes each, heal...");
        runs.Add(await ActiveActiveBenchmark.ConvergenceAsync(geo, n, writersPerRegion: 32, Console.WriteLine));
    }

    table.Clear();
    table.AppendLine("| counters written concurrently in 3 regions | writes while partitioned | writing took (partition lasted) | last link's first batch through, after healing | every change acknowledged everywhere, after healing | of which after the last link's first batch | a 64-counter sample identical in every region, after healing | max emulated RTT | drained / max RTT | changes sent (retries included): raw / compressed bytes each | full check of every counter, every region |");
    table.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var run in runs)
    {
        table.AppendLine(
            $"| {run.Grains:N0} | {run.Grains * run.Regions:N0} | {run.Writing.TotalSeconds:0.0} s ({run.Partitioned.TotalSeconds:0.0} s) | {run.LastLinkThrough.TotalMilliseconds:0} ms | {run.Drained.TotalMilliseconds:0} ms | {(run.Drained - run.LastLinkThrough).TotalMilliseconds:0} ms | {run.SampleIdentical.TotalMilliseconds:0} ms | {maxRtt:0} ms | {run.Drained.TotalMilliseconds / maxRtt:0.0}× | {run.ChangesSent:N0}: {run.RawBytesPerChange:0} / {run.PayloadBytesPerChange:0} | identical, every increment ({run.FullCheck.TotalSeconds:0.0} s) |");
    }

    sections.Add(("active-active-convergence", $"The same regions. Every link cut (`geo.Partition`), then each region adds its own amount once to every counter ({32} concurrent callers per region, each write committed locally), then every link healed. Times from the heal: until every silo's outbox is empty and nothing is in flight (every region acknowledged every other region's writes, each concurrent pair resolved), polled every 10 ms from the silos' own state; and until a fixed sample of 64 counters has identical stored records (state bytes, vector, commit time and region) in every region, read with `Store.ReadAsync`. Then every counter is compared in every region and must hold every region's increments. Replication settings: batch interval {options.BatchInterval.TotalMilliseconds:0} ms, up to {options.MaxBatchSize} changes per batch, at most {options.MaxBatchesInFlight} batches in flight (4 after the link was down, growing by one per timely answer); while a link is down (nothing answered since a batch left) no batch is sent and safe-time heartbeats (every {options.HeartbeatInterval.TotalMilliseconds:0} ms) probe it; the link call timeout is 2 s.", table.ToString()));
    results["activeActiveConvergence"] = runs;
}

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

// The middle value (the mean of the two middle ones for an even count).
static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

// A figure with every region on the same cores: reported beside the target, which the regions-on-their-own-cores rows decide.
static string Shared(bool met) => met ? "within, even so" : "not within (shared cores; not counted)";

static string Cpu(StorageCost cost) =>
    $"{cost.CpuMsPerOperation(cost.CpuSilos):0.00} / {cost.CpuMsPerOperation(cost.CpuHomeStorage):0.00} / {cost.CpuMsPerOperation(cost.CpuReplicaStorage):0.00} ms";

static string GeoOps(StorageCost cost) =>
    $"{cost.PerOperation(cost.HomeGeoOperations.Reads):0.00} / {cost.PerOperation(cost.HomeGeoOperations.Writes):0.00} ({cost.PerOperation(cost.HomeGeoOperations.RowsWritten):0.00})";
