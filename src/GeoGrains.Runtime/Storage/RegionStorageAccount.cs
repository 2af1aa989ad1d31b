namespace GeoGrains.Runtime.Storage;

/// <summary>
/// A region's storage account held in memory: the embedded default store of a region, shaped like Azure Table storage
/// (partitions of rows with ETags). It lives outside the silos that use it, as a cloud storage account outlives its VMs,
/// so stopping or killing every silo of a region keeps the data; <see cref="Wipe"/> simulates losing the account and
/// <see cref="IsAvailable"/> an outage. Each region must have its own.
/// </summary>
public sealed class RegionStorageAccount(RegionId region)
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Partition> _partitions = new(StringComparer.Ordinal);
    private long _etags;

    /// <summary>The region this account belongs to.</summary>
    public RegionId Region { get; } = region;

    /// <summary>
    /// Whether the account answers. Default <see langword="true"/>; while <see langword="false"/>, every operation fails
    /// with <see cref="RegionStorageException"/>, as an unreachable cloud account would.
    /// </summary>
    public bool IsAvailable { get; set; } = true;

    /// <summary>The number of rows stored.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _partitions.Values.Sum(p => p.Rows.Count);
            }
        }
    }

    /// <summary>Deletes everything in the account.</summary>
    public void Wipe()
    {
        lock (_lock)
        {
            _partitions.Clear();
        }
    }

    internal TableRow? Read(string partitionKey, string rowKey)
    {
        lock (_lock)
        {
            return _partitions.TryGetValue(partitionKey, out var rows) && rows.Rows.TryGetValue(rowKey, out var row)
                ? new TableRow(partitionKey, rowKey, row.Data, row.ETag)
                : null;
        }
    }

    internal List<TableRow> Query(string partitionKey, string fromRowKey, string toRowKey)
    {
        lock (_lock)
        {
            if (!_partitions.TryGetValue(partitionKey, out var rows))
            {
                return [];
            }

            var result = new List<TableRow>();
            if (string.CompareOrdinal(fromRowKey, toRowKey) >= 0)
            {
                return result;
            }

            foreach (var key in rows.Keys.GetViewBetween(fromRowKey, toRowKey))
            {
                if (!string.Equals(key, toRowKey, StringComparison.Ordinal))
                {
                    var row = rows.Rows[key];
                    result.Add(new TableRow(partitionKey, key, row.Data, row.ETag));
                }
            }

            return result;
        }
    }

    internal string?[] Write(IReadOnlyList<TableWrite> writes)
    {
        lock (_lock)
        {
            _partitions.TryGetValue(writes[0].PartitionKey, out var rows);
            foreach (var write in writes)
            {
                StoredRow? current = null;
                var exists = rows is not null && rows.Rows.TryGetValue(write.RowKey, out current);
                var failure = write.Kind switch
                {
                    TableWriteKind.Insert when exists => "the row exists",
                    TableWriteKind.Replace or TableWriteKind.Delete when !exists => "the row is missing",
                    TableWriteKind.Replace or TableWriteKind.Delete when write.ETag is not null && current!.ETag != write.ETag =>
                        $"its ETag is '{current.ETag}', not '{write.ETag}'",
                    _ => null,
                };
                if (failure is not null)
                {
                    throw new TableConditionFailedException(Region, write, failure);
                }
            }

            if (rows is null)
            {
                rows = new Partition();
                _partitions[writes[0].PartitionKey] = rows;
            }

            var etags = new string?[writes.Count];
            for (var i = 0; i < writes.Count; i++)
            {
                var write = writes[i];
                if (write.Kind == TableWriteKind.Delete)
                {
                    rows.Rows.Remove(write.RowKey);
                    rows.Keys.Remove(write.RowKey);
                    continue;
                }

                var etag = (++_etags).ToString("x");
                rows.Rows[write.RowKey] = new StoredRow([.. write.Data!], etag);
                rows.Keys.Add(write.RowKey);
                etags[i] = etag;
            }

            return etags;
        }
    }

    private sealed record StoredRow(byte[] Data, string ETag);

    // Keys are kept sorted so that a range query costs what it returns, not the size of the partition.
    private sealed class Partition
    {
        public Dictionary<string, StoredRow> Rows { get; } = new(StringComparer.Ordinal);

        public SortedSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }
}
