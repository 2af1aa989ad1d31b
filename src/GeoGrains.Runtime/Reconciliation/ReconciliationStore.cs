using System.Globalization;
using GeoGrains.Runtime.Storage;
using Orleans.Serialization;

namespace GeoGrains.Runtime.Reconciliation;

/// <summary>
/// The reconciliation records of a region, in its table (see <see cref="ConflictFeedStore{TRecord}"/>): row
/// <c>x|grain|epoch|version</c> of the grain's record partition (the orphan's epoch and version, fixed-width hex so that
/// a grain's records are listed oldest first): a merged version and the record of the orphan it came from are then one
/// atomic write, so a redelivered orphan finds its record whatever failed in between. Rows are only inserted, never
/// replaced: one record per orphaned version. An index entry whose orphan was recorded before at another time is skipped
/// by readers.
/// </summary>
internal sealed class ReconciliationStore(IRegionTable table, Serializer serializer, GeoStore store, ConflictTimeIndex index)
    : ConflictFeedStore<ReconciliationRecord>(table, serializer, store, index, "x|")
{
    /// <summary>The write that inserts <paramref name="record"/>; it fails, with its whole batch, if the orphan was recorded before.</summary>
    public TableWrite InsertWrite(ReconciliationRecord record) => WriteOf(record, TableWriteKind.Insert);

    /// <summary>
    /// Stores <paramref name="record"/> (its time-index entry first) unless its orphan was recorded before; returns the
    /// stored record and whether it is the one given.
    /// </summary>
    public async Task<(ReconciliationRecord Record, bool Inserted)> InsertIfAbsentAsync(ReconciliationRecord record, CancellationToken cancellationToken = default)
    {
        await IndexAsync(record, cancellationToken);
        try
        {
            await WriteAsync(InsertWrite(record), cancellationToken);
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
    public Task<ReconciliationRecord?> ReadAsync(GrainId grain, long epoch, long version, CancellationToken cancellationToken = default) =>
        ReadRowAsync(grain, RowId(epoch, version), cancellationToken);

    protected override ConflictIndexEntry EntryOf(ReconciliationRecord record) => ConflictIndexEntry.Of(record);

    protected override string RowIdOf(ConflictIndexEntry entry) => RowId(entry.OrphanEpoch, entry.OrphanVersion);

    private static string RowId(long epoch, long version) =>
        epoch.ToString("x16", CultureInfo.InvariantCulture) + "|" + version.ToString("x16", CultureInfo.InvariantCulture);
}
