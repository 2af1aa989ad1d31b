using System.Runtime.CompilerServices;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Tests.Storage;

/// <summary>An <see cref="IRegionTable"/> that counts what its callers read: point reads, queries and rows returned.</summary>
internal sealed class CountingRegionTable(IRegionTable inner) : IRegionTable
{
    private int _reads;
    private int _queries;
    private int _rowsReturned;

    public int Reads => _reads;

    public int Queries => _queries;

    public int RowsReturned => _rowsReturned;

    public RegionId Region => inner.Region;

    public string Description => inner.Description;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public Task<TableRow?> ReadAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return inner.ReadAsync(partitionKey, rowKey, cancellationToken);
    }

    public async IAsyncEnumerable<TableRow> QueryAsync(
        string partitionKey, string fromRowKey, string toRowKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _queries);
        await foreach (var row in inner.QueryAsync(partitionKey, fromRowKey, toRowKey, cancellationToken))
        {
            Interlocked.Increment(ref _rowsReturned);
            yield return row;
        }
    }

    public Task<string?[]> WriteAsync(IReadOnlyList<TableWrite> writes, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(writes, cancellationToken);

    public void Reset()
    {
        _reads = 0;
        _queries = 0;
        _rowsReturned = 0;
    }
}
