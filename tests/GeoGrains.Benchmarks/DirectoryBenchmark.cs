using GeoGrains.Runtime.Topology;
using System.Collections.Immutable;
using System.Diagnostics;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GeoGrains.Benchmarks;

/// <summary>
/// The ownership directory with no overrides against the same directory holding 100,000 per-grain overrides, in one
/// run on the same storage: a silo's refresh when nothing changed, anti-entropy between the regions when nothing changed,
/// and a move.
/// </summary>
internal static class DirectoryBenchmark
{
    private const int MergeChunk = 1000;
    private const int Moves = 10;
    private static readonly TimeSpan QuietWindow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ConvergeTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Measures with an empty directory, then fills <see cref="StorageBenchmarks.Home"/>'s directory up to
    /// <paramref name="overrides"/> grain overrides through its directory grain (as moves' updates arrive), lets every copy
    /// converge, and measures again.
    /// </summary>
    public static async Task<IReadOnlyList<DirectoryMeasurement>> RunAsync(GeoTestCluster geo, int overrides, int refreshes, Action<string> log)
    {
        var home = StorageBenchmarks.Home;
        var client = geo.Client(home);
        var cache = StorageBenchmarks.Services(geo, home).GetRequiredService<OwnershipCache>();
        var results = new List<DirectoryMeasurement>();

        await WaitForQuietAsync(geo, cache);
        results.Add(await MeasureAsync(geo, cache, cache.CachedOverrides, refreshes));

        // The baseline's moves left overrides of their own: the fill makes the total what was asked.
        var directory = client.GetGrain<IOwnershipDirectoryGrain>(0);
        var moved = new GrainOwnership(StorageBenchmarks.Replica, OwnershipTable.InitialEpoch + 1);
        var fill = overrides - Moves;
        var filling = Stopwatch.StartNew();
        for (var start = 0; start < fill; start += MergeChunk)
        {
            var grains = Enumerable.Range(start, Math.Min(MergeChunk, fill - start))
                .Select(i => client.GetGrain<IBenchProfileGrain>($"{home}/moved-{i:D6}").GetGrainId().ToString())
                .ToImmutableDictionary(g => g, _ => moved, StringComparer.Ordinal);
            await directory.Merge(new OwnershipTable(ImmutableDictionary<HomePartition, GrainOwnership>.Empty, grains));
        }

        log($"  merged {fill:N0} overrides into {home}'s directory in {filling.Elapsed.TotalSeconds:0.0} s");
        filling.Restart();
        await WaitForQuietAsync(geo, cache);
        log($"  every copy converged {filling.Elapsed.TotalSeconds:0.0} s later (silo copies, and {StorageBenchmarks.Replica}'s directory by anti-entropy)");
        if (cache.CachedOverrides != overrides)
        {
            throw new InvalidOperationException($"The {home} silo's directory copy holds {cache.CachedOverrides:N0} overrides, not the {overrides:N0} stored.");
        }

        results.Add(await MeasureAsync(geo, cache, overrides, refreshes));
        return results;
    }

    private static async Task<DirectoryMeasurement> MeasureAsync(GeoTestCluster geo, OwnershipCache cache, int overrides, int refreshes)
    {
        var home = StorageBenchmarks.Home;
        var replica = StorageBenchmarks.Replica;

        // A silo's refresh with nothing changed: what every silo does every second.
        for (var i = 0; i < refreshes; i++)
        {
            await cache.RefreshAsync();
        }

        var before = geo.StorageMetrics.Get(home);
        var refresh = await StorageBenchmarks.TimeSequentialAsync(async _ =>
        {
            if (await cache.RefreshAsync() is var changed and not 0)
            {
                throw new InvalidOperationException($"A refresh took {changed} changed entries: the directory is not quiet.");
            }
        }, refreshes);
        var refreshOperations = geo.StorageMetrics.Get(home).Operations - before.Operations;

        // Anti-entropy with nothing changed: what crosses the link and reaches storage while the directories only compare notes.
        var links = LinkBytes(geo);
        var messages = DirectoryMessages(geo);
        var writes = geo.StorageMetrics.Get(home).Writes + geo.StorageMetrics.Get(replica).Writes;
        await Task.Delay(QuietWindow);
        var antiEntropyBytes = (LinkBytes(geo) - links) / QuietWindow.TotalSeconds;
        var antiEntropyMessages = (DirectoryMessages(geo) - messages) / QuietWindow.TotalSeconds;
        var quietWrites = geo.StorageMetrics.Get(home).Writes + geo.StorageMetrics.Get(replica).Writes - writes;

        // Moves of grains that exist, one at a time.
        var client = geo.Client(home);
        var moves = new List<TimeSpan>();
        for (var i = 0; i < Moves; i++)
        {
            var grain = client.GetGrain<IBenchProfileGrain>($"{home}/mv-{overrides}-{i}");
            await grain.Visit();
            var started = Stopwatch.GetTimestamp();
            var owner = await client.RehomeAsync(grain, replica);
            moves.Add(Stopwatch.GetElapsedTime(started));
            if (owner.Owner != replica)
            {
                throw new InvalidOperationException($"The move of mv-{overrides}-{i} left it with {owner.Owner}.");
            }
        }

        return new DirectoryMeasurement(overrides, refresh, refreshOperations, antiEntropyBytes, antiEntropyMessages, quietWrites, LatencySummary.From(moves));
    }

    /// <summary>
    /// Waits until every silo's copy has stopped moving and neither region writes to its storage for longer than an
    /// anti-entropy round: every change taken everywhere.
    /// </summary>
    private static async Task WaitForQuietAsync(GeoTestCluster geo, OwnershipCache cache)
    {
        var caches = geo.Regions.Select(r => StorageBenchmarks.Services(geo, r).GetRequiredService<OwnershipCache>()).ToList();
        string State() => string.Join(";", caches.Select(c => c.Cursor.ToString()))
            + "|" + string.Join(";", geo.Regions.Select(r => geo.StorageMetrics.Get(r).Writes));
        var deadline = Stopwatch.StartNew();
        var quiet = Stopwatch.StartNew();
        var last = State();
        while (quiet.Elapsed < OwnershipDirectoryGrain.AntiEntropyInterval + TimeSpan.FromSeconds(2))
        {
            if (deadline.Elapsed > ConvergeTimeout)
            {
                throw new TimeoutException($"The directories did not settle within {ConvergeTimeout} (silo copy at {cache.Cursor}).");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
            var now = State();
            if (now != last)
            {
                last = now;
                quiet.Restart();
            }
        }
    }

    private static long LinkBytes(GeoTestCluster geo) =>
        geo.Meter.Get(StorageBenchmarks.Home, StorageBenchmarks.Replica).Bytes + geo.Meter.Get(StorageBenchmarks.Replica, StorageBenchmarks.Home).Bytes;

    private static long DirectoryMessages(GeoTestCluster geo) =>
        geo.Meter.Messages<IOwnershipDirectoryGrain>(StorageBenchmarks.Home, StorageBenchmarks.Replica)
        + geo.Meter.Messages<IOwnershipDirectoryGrain>(StorageBenchmarks.Replica, StorageBenchmarks.Home);
}

/// <summary>The directory with <see cref="Overrides"/> grain overrides, nothing changing: refresh, anti-entropy, move.</summary>
internal sealed record DirectoryMeasurement(
    int Overrides,
    LatencySummary Refresh,
    long RefreshStorageOperations,
    double AntiEntropyBytesPerSecond,
    double AntiEntropyMessagesPerSecond,
    long QuietStorageWrites,
    LatencySummary Move);
