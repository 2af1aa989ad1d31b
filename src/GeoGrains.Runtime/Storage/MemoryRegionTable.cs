using System.Runtime.CompilerServices;

namespace GeoGrains.Runtime.Storage;

/// <summary>An <see cref="IRegionTable"/> on the region's in-memory <see cref="RegionStorageAccount"/>.</summary>
internal sealed class MemoryRegionTable(RegionStorageAccount account, RegionStorageMetrics metrics) : IRegionTable
{
    public RegionId Region => account.Region;

    public string Description => "in-memory storage account";

    public Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        EnsureAvailable();
        return Task.CompletedTask;
    }

    public Task<TableRow?> ReadAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        EnsureAvailable();
        metrics.Read(Region);
        return Task.FromResult(account.Read(partitionKey, rowKey));
    }

    public async IAsyncEnumerable<TableRow> QueryAsync(
        string partitionKey, string fromRowKey, string toRowKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        EnsureAvailable();
        metrics.Query(Region);
        foreach (var row in account.Query(partitionKey, fromRowKey, toRowKey))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return row;
        }

        await Task.CompletedTask;
    }

    public Task<string?[]> WriteAsync(IReadOnlyList<TableWrite> writes, CancellationToken cancellationToken = default)
    {
        TableWrite.Validate(writes);
        EnsureAvailable();
        metrics.Write(Region, writes.Count);
        return Task.FromResult(account.Write(writes));
    }

    private void EnsureAvailable()
    {
        if (!account.IsAvailable)
        {
            throw new RegionStorageException(Region, Description, "the storage account is unavailable.");
        }
    }
}
