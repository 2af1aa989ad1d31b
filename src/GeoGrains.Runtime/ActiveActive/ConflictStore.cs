using GeoGrains.Runtime.Storage;
using Orleans.Serialization;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// The conflict records of a region, in its table (see <see cref="ConflictFeedStore{TRecord}"/>): row <c>k|grain|id</c>
/// of the grain's record partition, so a resolution and its record are one atomic write. The row key is the conflict's
/// id, so a conflict resolved again (it cannot be once its resolution is stored, but a write may be retried) stays one
/// row. Each record's time-index entry is written before it (<see cref="ConflictFeedStore{TRecord}.IndexAsync"/>).
/// </summary>
internal sealed class ConflictStore(IRegionTable table, Serializer serializer, GeoStore store, ConflictTimeIndex index)
    : ConflictFeedStore<ConflictRecord>(table, serializer, store, index, "k|")
{
    /// <summary>The write that stores <paramref name="record"/>, to commit in the same batch as the resolution.</summary>
    public TableWrite Write(ConflictRecord record) => WriteOf(record, TableWriteKind.Upsert);

    /// <summary>The record of conflict <paramref name="id"/> of <paramref name="grain"/>, or <see langword="null"/>.</summary>
    public Task<ConflictRecord?> ReadAsync(GrainId grain, string id, CancellationToken cancellationToken = default) =>
        ReadRowAsync(grain, TableKeys.Escape(id), cancellationToken);

    protected override ConflictIndexEntry EntryOf(ConflictRecord record) => ConflictIndexEntry.Of(record);

    protected override string RowIdOf(ConflictIndexEntry entry) => TableKeys.Escape(entry.ConflictId!);
}
