using GeoGrains.Runtime.Admin;
using System.Text;
using GeoGrains.Crdts;
using GeoGrains.Runtime.ActiveActive;
using GeoGrains.Runtime.Reconciliation;
using GeoGrains.Runtime.Storage;
using GeoGrains.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;

namespace GeoGrains.Tests.ActiveActive;

/// <summary>
/// The conflict feed by time in one region's table: records of every grain and both kinds in time order, only those
/// whose resolution committed, at most the limit, read at a cost that follows the records returned. And the records
/// themselves: each kind in its rows of the grain's record partition, under the layout stored rows are read with.
/// </summary>
public sealed class ConflictFeedQueryTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private static readonly DateTimeOffset Noon = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly CountingRegionTable _table;
    private readonly GeoStore _store;
    private readonly ConflictStore _conflicts;
    private readonly ReconciliationStore _reconciliations;
    private readonly ConflictFeedQuery _feed;

    public ConflictFeedQueryTests()
    {
        _table = new CountingRegionTable(new MemoryRegionTable(new RegionStorageAccount("eu-west"), new RegionStorageMetrics()));
        _store = new GeoStore(_table, Serializer, partitions: 4);
        var index = new ConflictTimeIndex(_table, Serializer);
        _conflicts = new ConflictStore(_table, Serializer, _store, index);
        _reconciliations = new ReconciliationStore(_table, Serializer, _store, index);
        _feed = new ConflictFeedQuery(index, _conflicts, _reconciliations);
    }

    private static HybridTimestamp At(DateTimeOffset time, int logical = 0) => new(time.ToUnixTimeMilliseconds(), logical);

    private static ConflictRecord Conflict(string grain, string id, HybridTimestamp resolvedAt)
    {
        var side = new ConflictVersion("us-east", new HybridTimestamp(resolvedAt.PhysicalMilliseconds - 10, 0), VersionVector.Empty, "{}");
        return new ConflictRecord(GrainId.Create("flag", grain), id, side, side with { CommittedIn = "apac-east" }, ConflictPolicy.LastWriterWins,
            ConflictOutcome.LastWriterWon, side, "{}", string.Empty, "eu-west", resolvedAt);
    }

    // As GeoWritePath.ResolveAsync does: the index entry, then the record in one atomic write with the grain's record.
    private async Task ResolveAsync(ConflictRecord record)
    {
        await _conflicts.IndexAsync(record);
        var current = await _store.ReadAsync(record.Grain);
        var next = new GeoRecord((current?.Record.Version ?? 0) + 1, 0, record.ResolvedAt, "eu-west", Encoding.UTF8.GetBytes("{}"));
        Assert.NotNull(await _store.TryCommitAsync(record.Grain, next, current?.ETag, marker: null, _conflicts.Write(record)));
    }

    private static ReconciliationRecord Reconciliation(string grain, long version, HybridTimestamp resolvedAt) =>
        new(GrainId.Create("items", grain), new GeoGrainVersion(1, version, "us-east", new HybridTimestamp(5, 0), "{\"orphan\":1}"),
            new GeoGrainVersion(1L << 32, 3, "eu-west", new HybridTimestamp(6, 0), "{}"), ReconciliationOutcome.KeptCurrent, null, string.Empty, "eu-west", resolvedAt);

    [Fact]
    public async Task Conflicts_of_every_grain_and_reconciliations_are_listed_oldest_first_within_the_window_across_hours()
    {
        var early = Conflict("a", "us-east@1", At(Noon.AddMinutes(-70)));
        var first = Conflict("b", "us-east@2", At(Noon.AddMinutes(-50)));
        var sameTime = Conflict("c", "us-east@2", At(Noon.AddMinutes(-50)));
        var reconciled = Reconciliation("d", 7, At(Noon.AddMinutes(10)));
        var later = Conflict("a", "apac-east@3", At(Noon.AddHours(3)));
        var late = Conflict("e", "us-east@4", At(Noon.AddHours(5)));
        foreach (var record in new[] { late, first, early, sameTime, later })
        {
            await ResolveAsync(record);
        }

        Assert.True((await _reconciliations.InsertIfAbsentAsync(reconciled)).Inserted);

        var listed = await _feed.ListAsync(Noon.AddHours(-1), Noon.AddHours(5), ConflictFeed.MaxLimit);
        Assert.Equal([first, sameTime, ReconciliationConflicts.ToConflict(reconciled), later], listed);

        // The bounds: from is in, to is out, to the millisecond.
        Assert.Equal([later], await _feed.ListAsync(later.ResolvedAt.WallClock, later.ResolvedAt.WallClock.AddMilliseconds(1), 10));
        Assert.Empty(await _feed.ListAsync(later.ResolvedAt.WallClock.AddMilliseconds(-1), later.ResolvedAt.WallClock, 10));
        Assert.Empty(await _feed.ListAsync(Noon.AddHours(6), Noon.AddDays(400), 10));
    }

    [Fact]
    public async Task An_entry_whose_resolution_never_committed_or_was_made_again_later_is_not_listed()
    {
        var committed = Conflict("a", "us-east@1", At(Noon));
        await ResolveAsync(committed);

        // Written, then the commit failed (a fence, storage, a crash): the entry stays, its record was never stored.
        await _conflicts.IndexAsync(Conflict("b", "us-east@2", At(Noon.AddSeconds(1))));
        await _reconciliations.IndexAsync(Reconciliation("c", 4, At(Noon.AddSeconds(2))));

        // A resolution retried after its first commit was fenced: two entries, one record, listed once at its own time.
        var retried = Conflict("d", "us-east@3", At(Noon.AddSeconds(3)));
        await _conflicts.IndexAsync(retried with { ResolvedAt = At(Noon.AddSeconds(3), 1) });
        await ResolveAsync(retried);

        // An orphan recorded again finds the first record: only that one's entry counts.
        var orphan = Reconciliation("e", 9, At(Noon.AddSeconds(4)));
        await _reconciliations.InsertIfAbsentAsync(orphan);
        Assert.False((await _reconciliations.InsertIfAbsentAsync(orphan with { ResolvedAt = At(Noon.AddSeconds(5)) })).Inserted);

        Assert.Equal([committed, retried, ReconciliationConflicts.ToConflict(orphan)], await _feed.ListAsync(Noon, Noon.AddMinutes(1), 10));
    }

    [Fact]
    public async Task The_limit_takes_the_oldest_and_the_reads_follow_the_records_returned_not_those_stored()
    {
        var start = Noon.AddMinutes(10);
        var inWindow = Enumerable.Range(0, 5).Select(i => Conflict($"in-{i}", "us-east@1", At(start.AddMinutes(i)))).ToList();
        foreach (var record in inWindow)
        {
            await ResolveAsync(record);
        }

        // 500 conflicts of other grains in the same hour before the window, and 500 in 50 later hours.
        for (var i = 0; i < 500; i++)
        {
            await ResolveAsync(Conflict($"before-{i}", "us-east@1", At(start.AddMilliseconds(-1 - i))));
            await ResolveAsync(Conflict($"after-{i}", "us-east@1", At(Noon.AddHours(1 + (i % 50)))));
        }

        _table.Reset();
        Assert.Equal(inWindow.Take(3), await _feed.ListAsync(start, start.AddDays(30), 3));

        // One directory query and one bucket query, 1 directory row and 3 entries, a point read per entry returned.
        Assert.Equal(2, _table.Queries);
        Assert.Equal(4, _table.RowsReturned);
        Assert.Equal(3, _table.Reads);

        _table.Reset();
        Assert.Equal(inWindow, await _feed.ListAsync(start, start.AddMinutes(30), ConflictFeed.MaxLimit));
        Assert.Equal(6, _table.RowsReturned);
        Assert.Equal(5, _table.Reads);
    }

    [Fact]
    public async Task Each_kind_keeps_the_row_layout_its_stored_records_are_read_with()
    {
        // k|grain|id (escaped) and x|grain|epoch|version (fixed-width hex), in the grain's record partition.
        var conflict = Conflict("us-east/ada", "us-east@7/2", At(Noon));
        var reconciliation = Reconciliation("us-east/ada", 7, At(Noon));
        var (conflictRow, reconciliationRow) = ("k|flag%2Fus-east%2Fada|us-east@7%2F2", "x|items%2Fus-east%2Fada|0000000000000001|0000000000000007");
        var write = _conflicts.Write(conflict);
        Assert.Equal((TableWriteKind.Upsert, _store.PartitionOf(conflict.Grain), conflictRow), (write.Kind, write.PartitionKey, write.RowKey));
        write = _reconciliations.InsertWrite(reconciliation);
        Assert.Equal((TableWriteKind.Insert, _store.PartitionOf(reconciliation.Grain), reconciliationRow), (write.Kind, write.PartitionKey, write.RowKey));

        await _table.WriteAsync([TableWrite.Upsert(_store.PartitionOf(conflict.Grain), conflictRow, Serializer.SerializeToArray(conflict))]);
        await _table.WriteAsync([TableWrite.Upsert(_store.PartitionOf(reconciliation.Grain), reconciliationRow, Serializer.SerializeToArray(reconciliation))]);
        Assert.Equal(conflict, await _conflicts.ReadAsync(conflict.Grain, "us-east@7/2"));
        Assert.Equal([conflict], await _conflicts.ListAsync(conflict.Grain));
        Assert.Equal(reconciliation, await _reconciliations.ReadAsync(reconciliation.Grain, 1, 7));
        Assert.Equal([reconciliation], await _reconciliations.ListAsync(reconciliation.Grain));
    }

    [Fact]
    public async Task A_grains_conflicts_are_listed_without_those_of_a_grain_whose_id_extends_its_own_and_a_rewrite_stays_one_row()
    {
        var first = Conflict("ada", "b", At(Noon));
        var second = Conflict("ada", "a", At(Noon));
        var other = Conflict("ada|b", "a", At(Noon));
        foreach (var record in new[] { first, second, first, other })
        {
            await _table.WriteAsync([_conflicts.Write(record)]);
        }

        Assert.Equal([second, first], await _conflicts.ListAsync(first.Grain));
        Assert.Equal([other], await _conflicts.ListAsync(other.Grain));
        Assert.Null(await _conflicts.ReadAsync(first.Grain, "c"));
    }

    [Fact]
    public async Task A_bad_window_or_limit_is_refused_naming_the_argument()
    {
        Assert.Equal("to", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _feed.ListAsync(Noon, Noon, 10))).ParamName);
        Assert.Equal("to", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _feed.ListAsync(Noon, Noon.AddHours(-1), 10))).ParamName);
        Assert.Equal("limit", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _feed.ListAsync(Noon, Noon.AddHours(1), 0))).ParamName);
        var tooMany = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _feed.ListAsync(Noon, Noon.AddHours(1), ConflictFeed.MaxLimit + 1));
        Assert.Equal("limit", tooMany.ParamName);
        Assert.Contains($"1 to {ConflictFeed.MaxLimit}", tooMany.Message, StringComparison.Ordinal);
    }
}
