using System.Text;
using GeoGrains.Runtime.Reconciliation;
using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;

namespace GeoGrains.Tests.Reconciliation;

/// <summary>Reconciliation records in a region's table: once per orphaned version, listed per grain, and written with a merge atomically.</summary>
public sealed class ReconciliationStoreTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private static readonly GrainId Grain = GrainId.Create("items", "us-east/ada");

    private readonly GeoStore _store;
    private readonly ReconciliationStore _records;

    public ReconciliationStoreTests()
    {
        var table = new MemoryRegionTable(new RegionStorageAccount("eu-west"), new RegionStorageMetrics());
        _store = new GeoStore(table, Serializer, partitions: 4);
        _records = new ReconciliationStore(table, Serializer, _store, new ConflictTimeIndex(table, Serializer));
    }

    private static GeoGrainVersion Version(long epoch, long version, string state = "{}") => new(epoch, version, "us-east", new HybridTimestamp(version, 0), state);

    private static ReconciliationRecord Record(GrainId grain, long epoch, long version, ReconciliationOutcome outcome = ReconciliationOutcome.KeptCurrent) =>
        new(grain, Version(epoch, version, $"{{\"v\":{version}}}"), Version(1L << 32, 9), outcome, null, string.Empty, "eu-west", new HybridTimestamp(100, 0));

    [Fact]
    public async Task An_orphan_is_recorded_once_and_a_second_record_of_it_returns_the_first()
    {
        var first = Record(Grain, 1, 7);
        Assert.Equal((first, true), await _records.InsertIfAbsentAsync(first));

        var again = Record(Grain, 1, 7, ReconciliationOutcome.HookFailed) with { Detail = "hook failed: late" };
        var (stored, inserted) = await _records.InsertIfAbsentAsync(again);
        Assert.False(inserted);
        Assert.Equal(first, stored);
        Assert.Equal([first], await _records.ListAsync(Grain));
        Assert.Equal(first, await _records.ReadAsync(Grain, 1, 7));
        Assert.Null(await _records.ReadAsync(Grain, 1, 8));
    }

    [Fact]
    public async Task A_grains_records_are_listed_oldest_orphan_first_without_those_of_a_grain_whose_id_extends_its_own()
    {
        var other = GrainId.Create("items", "us-east/ada|b");
        var records = new[] { Record(Grain, 1L << 32, 2), Record(Grain, 2, 16), Record(Grain, 2, 3), Record(Grain, 1, 40) };
        foreach (var record in records)
        {
            await _records.InsertIfAbsentAsync(record);
        }

        await _records.InsertIfAbsentAsync(Record(other, 1, 1));
        var listed = await _records.ListAsync(Grain);
        Assert.Equal(records.OrderBy(r => r.Orphaned.Epoch).ThenBy(r => r.Orphaned.Version), listed);
        Assert.Equal([Record(other, 1, 1)], await _records.ListAsync(other));
        Assert.Empty(await _records.ListAsync(GrainId.Create("items", "us-east/nobody")));
    }

    [Fact]
    public async Task A_merge_and_its_record_are_one_write_so_an_orphan_recorded_before_is_not_merged_again()
    {
        var current = new GeoRecord(9, 1L << 32, new HybridTimestamp(9, 0), "eu-west", Encoding.UTF8.GetBytes("{}"), 1, 4);
        var written = await _store.TryCommitAsync(Grain, current, null, marker: null);
        Assert.NotNull(written);

        var merge = current with { Version = 10 };
        var record = Record(Grain, 1, 7, ReconciliationOutcome.Merged);
        Assert.NotNull(await _store.TryCommitAsync(Grain, merge, written.Value.Record, marker: null, _records.InsertWrite(record)));
        Assert.Equal([record], await _records.ListAsync(Grain));

        // Delivered again: the record is there, so the whole write fails and the grain stays at the first merge.
        var stored = await _store.ReadAsync(Grain);
        Assert.Null(await _store.TryCommitAsync(Grain, merge with { Version = 11 }, stored!.ETag, marker: null, _records.InsertWrite(record with { Detail = "again" })));
        Assert.Equal(10, (await _store.ReadAsync(Grain))!.Record.Version);
        Assert.Equal([record], await _records.ListAsync(Grain));
    }
}
