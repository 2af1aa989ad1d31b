using GeoGrains.Runtime.Storage;
using Orleans.Serialization;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// The conflict records of a region, in its table: row <c>k|grain|id</c> of the grain's record partition (see
/// <see cref="GeoStore.PartitionOf"/>), so a resolution and its record are one atomic write, and a grain's conflicts are
/// one range query over its rows only. The row key is the conflict's id, so a conflict resolved again (it cannot be
/// once its resolution is stored, but a write may be retried) stays one row. Each record also has an entry in the
/// region's time index (<see cref="ConflictTimeIndex"/>), written before it (<see cref="IndexAsync"/>).
/// </summary>
internal sealed class ConflictStore(IRegionTable table, Serializer serializer, GeoStore store, ConflictTimeIndex index)
{
    private const string Prefix = "k|";

    /// <summary>
    /// Writes <paramref name="record"/>'s time-index entry; await it before committing <see cref="Write"/>'s batch (the
    /// entry is in another partition). Written again on a retry, it stays one row; an entry whose record never commits
    /// is skipped by readers.
    /// </summary>
    public Task IndexAsync(ConflictRecord record, CancellationToken cancellationToken = default) =>
        index.AddAsync(ConflictIndexEntry.Of(record), cancellationToken);

    /// <summary>The write that stores <paramref name="record"/>, to commit in the same batch as the resolution.</summary>
    public TableWrite Write(ConflictRecord record) =>
        TableWrite.Upsert(store.PartitionOf(record.Grain), GrainPrefix(record.Grain) + TableKeys.Escape(record.Id), serializer.SerializeToArray(record));

    /// <summary>The record of conflict <paramref name="id"/> of <paramref name="grain"/>, or <see langword="null"/>.</summary>
    public async Task<ConflictRecord?> ReadAsync(GrainId grain, string id, CancellationToken cancellationToken = default) =>
        await table.ReadAsync(store.PartitionOf(grain), GrainPrefix(grain) + TableKeys.Escape(id), cancellationToken) is { } row
            ? serializer.Deserialize<ConflictRecord>(row.Data)
            : null;

    /// <summary>Every conflict this region recorded for <paramref name="grain"/>.</summary>
    public async Task<IReadOnlyList<ConflictRecord>> ListAsync(GrainId grain, CancellationToken cancellationToken = default)
    {
        var prefix = GrainPrefix(grain);
        var records = new List<ConflictRecord>();
        await foreach (var row in table.QueryAsync(store.PartitionOf(grain), prefix, TableKeys.PrefixEnd(prefix), cancellationToken))
        {
            // The escaped id may be the start of another grain's id: the record names its grain.
            var record = serializer.Deserialize<ConflictRecord>(row.Data)!;
            if (record.Grain.Equals(grain))
            {
                records.Add(record);
            }
        }

        return records;
    }

    private static string GrainPrefix(GrainId grain) => Prefix + TableKeys.Escape(grain.ToString()) + "|";
}
