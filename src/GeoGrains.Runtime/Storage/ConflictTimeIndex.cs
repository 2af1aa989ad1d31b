using System.Runtime.CompilerServices;
using GeoGrains.Runtime.Storage;
using Orleans.Serialization;

namespace GeoGrains.Runtime.Storage;

/// <summary>
/// A region's index of its conflict feed by time (layout: <see cref="ConflictIndexKeys"/>). A record lives in its
/// grain's partition and its entry in the hour's, so the two cannot be one atomic write: the entry is written first
/// (an idempotent upsert), and a reader keeps an entry only if the record it names is stored with the entry's time.
/// </summary>
internal sealed class ConflictTimeIndex(IRegionTable table, Serializer serializer)
{
    private static readonly byte[] Present = [1];

    // The last bucket this silo listed in the directory: the directory row is written once per hour per silo, not per entry.
    private string? _listed;

    /// <summary>Writes <paramref name="entry"/> (and lists its bucket); call before committing the record it names.</summary>
    public async Task AddAsync(ConflictIndexEntry entry, CancellationToken cancellationToken = default)
    {
        var bucket = ConflictIndexKeys.Bucket(entry.ResolvedAt.PhysicalMilliseconds);
        var write = table.WriteAsync(
            [TableWrite.Upsert(ConflictIndexKeys.PartitionOf(bucket), ConflictIndexKeys.RowKey(entry), serializer.SerializeToArray(entry))],
            cancellationToken);
        if (string.Equals(Volatile.Read(ref _listed), bucket, StringComparison.Ordinal))
        {
            await write;
            return;
        }

        await Task.WhenAll(write, table.WriteAsync([TableWrite.Upsert(ConflictIndexKeys.DirectoryPartition, bucket, Present)], cancellationToken));
        Volatile.Write(ref _listed, bucket);
    }

    /// <summary>
    /// The entries whose time is in [<paramref name="fromMs"/>, <paramref name="toMs"/>) (Unix milliseconds), oldest
    /// first, read lazily: bucket by bucket, each a range query over the window's rows, so stopping early reads no more.
    /// </summary>
    public async IAsyncEnumerable<ConflictIndexEntry> ReadAsync(long fromMs, long toMs, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (fromMs >= toMs)
        {
            yield break;
        }

        var (firstBucket, bucketsEnd) = ConflictIndexKeys.Buckets(fromMs, toMs);
        var (fromRow, toRow) = ConflictIndexKeys.Rows(fromMs, toMs);
        await foreach (var bucket in table.QueryAsync(ConflictIndexKeys.DirectoryPartition, firstBucket, bucketsEnd, cancellationToken))
        {
            await foreach (var row in table.QueryAsync(ConflictIndexKeys.PartitionOf(bucket.RowKey), fromRow, toRow, cancellationToken))
            {
                yield return serializer.Deserialize<ConflictIndexEntry>(row.Data)!;
            }
        }
    }
}
