using Orleans.Serialization;

namespace GeoGrains.Runtime.Storage;

/// <summary>
/// The records of one kind of the region's conflict feed (conflicts, reconciliations), in its table. A record lives in
/// its grain's record partition (see <see cref="GeoStore.PartitionOf"/>), so it commits in one atomic write with what it
/// records, at row <c>prefix|grain|id</c>, so a grain's records are one range query over its rows only. Its entry in the
/// region's time index (<see cref="ConflictTimeIndex"/>) is in another partition, written first, and names the record:
/// a kind says how an entry names a row (<see cref="RowIdOf"/>), and the entry is the record's key.
/// </summary>
internal abstract class ConflictFeedStore<TRecord>(IRegionTable table, Serializer serializer, GeoStore store, ConflictTimeIndex index, string prefix)
    where TRecord : class
{
    /// <summary>
    /// Writes <paramref name="record"/>'s time-index entry; await it before committing the batch that stores the record
    /// (the entry is in another partition). Written again on a retry, it stays one row; an entry whose record never
    /// commits is skipped by readers (<see cref="ReadConfirmedAsync"/>).
    /// </summary>
    public Task IndexAsync(TRecord record, CancellationToken cancellationToken = default) =>
        index.AddAsync(EntryOf(record), cancellationToken);

    /// <summary>The record <paramref name="entry"/> names, if it is stored with the entry's time (see <see cref="ConflictIndexEntry.Confirms"/>).</summary>
    public async Task<TRecord?> ReadConfirmedAsync(ConflictIndexEntry entry, CancellationToken cancellationToken = default) =>
        await ReadRowAsync(entry.Grain, RowIdOf(entry), cancellationToken) is { } record && entry.Confirms(EntryOf(record).ResolvedAt)
            ? record
            : null;

    /// <summary>Every record this region stored for <paramref name="grain"/>, in the order of their row ids.</summary>
    public async Task<IReadOnlyList<TRecord>> ListAsync(GrainId grain, CancellationToken cancellationToken = default)
    {
        var grainPrefix = GrainPrefix(grain);
        var records = new List<TRecord>();
        await foreach (var row in table.QueryAsync(store.PartitionOf(grain), grainPrefix, TableKeys.PrefixEnd(grainPrefix), cancellationToken))
        {
            // The escaped id may be the start of another grain's id ('|' is kept as is): the record names its grain.
            var record = serializer.Deserialize<TRecord>(row.Data)!;
            if (EntryOf(record).Grain.Equals(grain))
            {
                records.Add(record);
            }
        }

        return records;
    }

    /// <summary>The time-index entry of <paramref name="record"/>: its grain, the id of its row, and its time.</summary>
    protected abstract ConflictIndexEntry EntryOf(TRecord record);

    /// <summary>The end of the row key of the record <paramref name="entry"/> names, after its grain's.</summary>
    protected abstract string RowIdOf(ConflictIndexEntry entry);

    /// <summary>The write that stores <paramref name="record"/> in its row, as <paramref name="kind"/>.</summary>
    protected TableWrite WriteOf(TRecord record, TableWriteKind kind)
    {
        var entry = EntryOf(record);
        return new(kind, store.PartitionOf(entry.Grain), GrainPrefix(entry.Grain) + RowIdOf(entry), serializer.SerializeToArray(record));
    }

    /// <summary>Commits <paramref name="write"/> alone.</summary>
    protected Task WriteAsync(TableWrite write, CancellationToken cancellationToken) => table.WriteAsync([write], cancellationToken);

    /// <summary>The record in row <paramref name="rowId"/> of <paramref name="grain"/>'s rows, or <see langword="null"/>.</summary>
    protected async Task<TRecord?> ReadRowAsync(GrainId grain, string rowId, CancellationToken cancellationToken) =>
        await table.ReadAsync(store.PartitionOf(grain), GrainPrefix(grain) + rowId, cancellationToken) is { } row
            ? serializer.Deserialize<TRecord>(row.Data)
            : null;

    private string GrainPrefix(GrainId grain) => prefix + TableKeys.Escape(grain.ToString()) + "|";
}
