namespace GeoGrains.Runtime.Storage;

/// <summary>
/// One region's table of rows: everything GeoGrains keeps in a region goes through this, so the layout above it is
/// written once for every backend (in memory, Azure Table storage). Rows are addressed by partition key and row key,
/// carry opaque bytes and an ETag; writes to one partition can be made atomic together; a partition is range-queried by
/// row key. That is the Azure Table model, and the least a backend must offer.
/// </summary>
/// <remarks>
/// Every method fails with <see cref="RegionStorageException"/> when the storage cannot be reached or refuses the
/// request, and <see cref="WriteAsync"/> with <see cref="TableConditionFailedException"/> when a condition does not hold;
/// nothing is written then.
/// </remarks>
internal interface IRegionTable
{
    /// <summary>The region the table belongs to.</summary>
    RegionId Region { get; }

    /// <summary>What the storage is, for messages: kind, address and table name, never a secret.</summary>
    string Description { get; }

    /// <summary>Creates the table if it is missing and checks that the storage answers.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads one row, or <see langword="null"/> when there is none.</summary>
    Task<TableRow?> ReadAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default);

    /// <summary>The rows of one partition whose row keys are in [<paramref name="fromRowKey"/>, <paramref name="toRowKey"/>), in row key order.</summary>
    IAsyncEnumerable<TableRow> QueryAsync(string partitionKey, string fromRowKey, string toRowKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="writes"/> atomically: all of them or none. They must share one partition key, name each row
    /// once, and number at most <see cref="TableWrite.MaxBatch"/>. Returns the new ETag of each row (<see langword="null"/> for deletes).
    /// </summary>
    Task<string?[]> WriteAsync(IReadOnlyList<TableWrite> writes, CancellationToken cancellationToken = default);
}
