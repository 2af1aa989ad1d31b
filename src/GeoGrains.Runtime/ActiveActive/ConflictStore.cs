using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using Orleans.Serialization;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// The conflict records of a region, in its table: row <c>k|grain|id</c> of the grain's record partition (see
/// <see cref="GeoStore.PartitionOf"/>), so a resolution and its record are one atomic write, and a grain's conflicts are
/// one range query over its rows only. The row key is the conflict's id, so a conflict resolved again (it cannot be
/// once its resolution is stored, but a write may be retried) stays one row.
/// </summary>
internal sealed class ConflictStore(IRegionTable table, Serializer serializer, GeoStore store)
{
    private const string Prefix = "k|";

    /// <summary>The write that stores <paramref name="record"/>, to commit in the same batch as the resolution.</summary>
    public TableWrite Write(ConflictRecord record) =>
        TableWrite.Upsert(store.PartitionOf(record.Grain), GrainPrefix(record.Grain) + TableKeys.Escape(record.Id), serializer.SerializeToArray(record));

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
