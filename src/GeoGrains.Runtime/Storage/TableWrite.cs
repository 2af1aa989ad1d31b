namespace GeoGrains.Runtime.Storage;

/// <summary>What a <see cref="TableWrite"/> does to its row.</summary>
internal enum TableWriteKind
{
    /// <summary>Adds the row; fails if it exists.</summary>
    Insert,

    /// <summary>Replaces the row; fails if it is missing or, with an ETag, if the stored ETag differs.</summary>
    Replace,

    /// <summary>Writes the row whether or not it exists.</summary>
    Upsert,

    /// <summary>Deletes the row; fails if it is missing or, with an ETag, if the stored ETag differs.</summary>
    Delete,
}

/// <summary>One write to a row of an <see cref="IRegionTable"/>.</summary>
internal sealed record TableWrite(TableWriteKind Kind, string PartitionKey, string RowKey, byte[]? Data = null, string? ETag = null)
{
    /// <summary>The most writes one atomic <see cref="IRegionTable.WriteAsync"/> takes (Azure's entity group transaction limit).</summary>
    public const int MaxBatch = 100;

    public static TableWrite Insert(string partitionKey, string rowKey, byte[] data) => new(TableWriteKind.Insert, partitionKey, rowKey, data);

    /// <summary>Replaces the row if its ETag is still <paramref name="etag"/>; a <see langword="null"/> ETag inserts instead.</summary>
    public static TableWrite ReplaceOrInsert(string partitionKey, string rowKey, byte[] data, string? etag) =>
        etag is null ? Insert(partitionKey, rowKey, data) : new(TableWriteKind.Replace, partitionKey, rowKey, data, etag);

    public static TableWrite Upsert(string partitionKey, string rowKey, byte[] data) => new(TableWriteKind.Upsert, partitionKey, rowKey, data);

    public static TableWrite Delete(string partitionKey, string rowKey, string? etag) => new(TableWriteKind.Delete, partitionKey, rowKey, null, etag);

    /// <summary>Checks what every backend requires of a batch.</summary>
    public static void Validate(IReadOnlyList<TableWrite> writes)
    {
        if (writes.Count is 0 or > MaxBatch)
        {
            throw new ArgumentException($"A table write batch holds 1 to {MaxBatch} writes, not {writes.Count}.", nameof(writes));
        }

        var partition = writes[0].PartitionKey;
        var rows = new HashSet<string>(StringComparer.Ordinal);
        foreach (var write in writes)
        {
            if (!string.Equals(write.PartitionKey, partition, StringComparison.Ordinal))
            {
                throw new ArgumentException($"A table write batch must stay in one partition; it names '{partition}' and '{write.PartitionKey}'.", nameof(writes));
            }

            if (!rows.Add(write.RowKey))
            {
                throw new ArgumentException($"A table write batch names row '{write.RowKey}' twice.", nameof(writes));
            }

            if (write.Kind != TableWriteKind.Delete && write.Data is null)
            {
                throw new ArgumentException($"The {write.Kind} of row '{write.RowKey}' has no data.", nameof(writes));
            }
        }
    }
}
