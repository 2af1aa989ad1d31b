using System.Globalization;
using GeoGrains.Runtime.Storage;
using Orleans.Serialization;

namespace GeoGrains.Runtime.Reconciliation;

/// <summary>
/// The reconciliation records of a region, in its table. A record lives in its grain's record partition (see
/// <see cref="GeoStore.PartitionOf"/>), row <c>x|grain|epoch|version</c> (the orphan's epoch and version, fixed-width hex
/// so that a grain's records sort oldest first): a merged version and the record of the orphan it came from are then
/// one atomic write, so a redelivered orphan finds its record whatever failed in between. Rows are only inserted, never
/// replaced: one record per orphaned version. Listing a grain's records is one range query over its rows only. Each
/// record is an entry of the conflict feed's time index too (<see cref="ConflictTimeIndex"/>), written before it.
/// </summary>
internal sealed class ReconciliationStore(IRegionTable table, Serializer serializer, GeoStore store, ConflictTimeIndex index)
{
    private const string Prefix = "x|";

    /// <summary>
    /// Writes <paramref name="record"/>'s entry in the conflict feed's time index; await it before committing
    /// <see cref="InsertWrite"/>'s batch (the entry is in another partition). An entry whose record never commits, or
    /// whose orphan was recorded before at another time, is skipped by readers.
    /// </summary>
    public Task IndexAsync(ReconciliationRecord record, CancellationToken cancellationToken = default) =>
        index.AddAsync(ConflictIndexEntry.Of(record), cancellationToken);

    /// <summary>The write that inserts <paramref name="record"/>; it fails, with its whole batch, if the orphan was recorded before.</summary>
    public TableWrite InsertWrite(ReconciliationRecord record) =>
        TableWrite.Insert(store.PartitionOf(record.Grain), RowKey(record.Grain, record.Orphaned.Epoch, record.Orphaned.Version), serializer.SerializeToArray(record));

    /// <summary>
    /// Stores <paramref name="record"/> (its time-index entry first) unless its orphan was recorded before; returns the
    /// stored record and whether it is the one given.
    /// </summary>
    public async Task<(ReconciliationRecord Record, bool Inserted)> InsertIfAbsentAsync(ReconciliationRecord record, CancellationToken cancellationToken = default)
    {
        await IndexAsync(record, cancellationToken);
        try
        {
            await table.WriteAsync([InsertWrite(record)], cancellationToken);
            return (record, true);
        }
        catch (TableConditionFailedException)
        {
            var stored = await ReadAsync(record.Grain, record.Orphaned.Epoch, record.Orphaned.Version, cancellationToken);
            return stored is not null ? (stored, false) : throw new InvalidOperationException(
                $"The reconciliation record of '{record.Grain}' {record.Orphaned} could not be inserted, yet none is stored.");
        }
    }

    /// <summary>The record of the orphaned version <paramref name="epoch"/>.<paramref name="version"/> of <paramref name="grain"/>, or <see langword="null"/>.</summary>
    public async Task<ReconciliationRecord?> ReadAsync(GrainId grain, long epoch, long version, CancellationToken cancellationToken = default) =>
        await table.ReadAsync(store.PartitionOf(grain), RowKey(grain, epoch, version), cancellationToken) is { } row
            ? serializer.Deserialize<ReconciliationRecord>(row.Data)
            : null;

    /// <summary>Every record of <paramref name="grain"/>, oldest orphan first.</summary>
    public async Task<IReadOnlyList<ReconciliationRecord>> ListAsync(GrainId grain, CancellationToken cancellationToken = default)
    {
        var prefix = GrainPrefix(grain);
        var records = new List<ReconciliationRecord>();
        await foreach (var row in table.QueryAsync(store.PartitionOf(grain), prefix, TableKeys.PrefixEnd(prefix), cancellationToken))
        {
            // The escaped id may be the start of another grain's id ('|' is kept as is): the record names its grain.
            var record = serializer.Deserialize<ReconciliationRecord>(row.Data)!;
            if (record.Grain.Equals(grain))
            {
                records.Add(record);
            }
        }

        return records;
    }

    private static string GrainPrefix(GrainId grain) => Prefix + TableKeys.Escape(grain.ToString()) + "|";

    private static string RowKey(GrainId grain, long epoch, long version) =>
        GrainPrefix(grain) + epoch.ToString("x16", CultureInfo.InvariantCulture) + "|" + version.ToString("x16", CultureInfo.InvariantCulture);
}
