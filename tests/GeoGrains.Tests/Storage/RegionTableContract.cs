using GeoGrains.Runtime.Storage;

namespace GeoGrains.Tests.Storage;

/// <summary>What every <see cref="IRegionTable"/> backend must do; each backend's test class derives from this.</summary>
public abstract class RegionTableContract
{
    internal abstract IRegionTable Table { get; }

    private static byte[] Bytes(params byte[] data) => data;

    [Fact]
    public async Task Inserts_are_refused_when_the_row_exists_and_replaces_are_conditional_on_the_etag()
    {
        var partition = Guid.NewGuid().ToString("N");
        var first = (await Table.WriteAsync([TableWrite.Insert(partition, "k", Bytes(1))]))[0];
        Assert.NotNull(first);

        await Assert.ThrowsAsync<TableConditionFailedException>(() => Table.WriteAsync([TableWrite.Insert(partition, "k", Bytes(2))]));
        await Assert.ThrowsAsync<TableConditionFailedException>(() => Table.WriteAsync([TableWrite.ReplaceOrInsert(partition, "k", Bytes(2), "\"stale\"")]));

        var second = (await Table.WriteAsync([TableWrite.ReplaceOrInsert(partition, "k", Bytes(3), first)]))[0];
        Assert.NotEqual(first, second);
        var row = await Table.ReadAsync(partition, "k");
        Assert.Equal([3], row!.Data);
        Assert.Equal(second, row.ETag);
    }

    [Fact]
    public async Task A_batch_is_atomic_when_one_condition_fails()
    {
        var partition = Guid.NewGuid().ToString("N");
        await Table.WriteAsync([TableWrite.Insert(partition, "a", Bytes(1))]);

        await Assert.ThrowsAsync<TableConditionFailedException>(() => Table.WriteAsync(
            [TableWrite.Upsert(partition, "b", Bytes(2)), TableWrite.Insert(partition, "a", Bytes(3))]));

        Assert.Null(await Table.ReadAsync(partition, "b"));
        Assert.Equal([1], (await Table.ReadAsync(partition, "a"))!.Data);
    }

    [Fact]
    public async Task Deletes_are_conditional_and_a_range_query_returns_only_its_range_in_key_order()
    {
        var partition = Guid.NewGuid().ToString("N");
        var etags = await Table.WriteAsync([
            TableWrite.Upsert(partition, "o|b", Bytes(1)),
            TableWrite.Upsert(partition, "o|a", Bytes(2)),
            TableWrite.Upsert(partition, "r|a", Bytes(3)),
        ]);

        await Assert.ThrowsAsync<TableConditionFailedException>(() => Table.WriteAsync([TableWrite.Delete(partition, "o|a", "\"stale\"")]));
        var rows = await Table.QueryAsync(partition, "o|", TableKeys.PrefixEnd("o|")).ToListAsync();
        Assert.Equal(["o|a", "o|b"], rows.Select(r => r.RowKey));

        await Table.WriteAsync([TableWrite.Delete(partition, "o|b", etags[0])]);
        rows = await Table.QueryAsync(partition, "o|", TableKeys.PrefixEnd("o|")).ToListAsync();
        Assert.Equal(["o|a"], rows.Select(r => r.RowKey));
    }

    [Fact]
    public async Task Escaped_keys_round_trip_and_large_rows_are_kept_whole()
    {
        var partition = Guid.NewGuid().ToString("N");
        var key = TableKeys.Escape("profile/eu-west/al#ice?100%");
        var data = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7)).ToArray();
        await Table.WriteAsync([TableWrite.Upsert(partition, key, data)]);

        var row = await Table.ReadAsync(partition, key);
        Assert.Equal(data, row!.Data);
        Assert.Equal("profile/eu-west/al#ice?100%", TableKeys.Unescape(row.RowKey));
    }
}

public sealed class MemoryRegionTableTests : RegionTableContract
{
    private readonly RegionStorageAccount _account = new("eu-west");
    private readonly RegionStorageMetrics _metrics = new();

    internal override IRegionTable Table => new MemoryRegionTable(_account, _metrics);

    [Fact]
    public async Task An_unavailable_account_fails_with_a_typed_error_naming_the_region()
    {
        _account.IsAvailable = false;

        var error = await Assert.ThrowsAsync<RegionStorageException>(() => Table.ReadAsync("p", "r"));

        Assert.Equal("eu-west", error.Region.Value);
        Assert.Contains("eu-west", error.Message);
    }

    [Fact]
    public async Task Every_round_trip_is_counted()
    {
        await Table.WriteAsync([TableWrite.Upsert("p", "a", [1]), TableWrite.Upsert("p", "b", [2])]);
        await Table.ReadAsync("p", "a");
        await Table.QueryAsync("p", "a", "z").ToListAsync();

        Assert.Equal(new RegionStorageTraffic(Reads: 1, Queries: 1, Writes: 1, RowsWritten: 2), _metrics.Get("eu-west"));
    }
}
