using GeoGrains.Runtime.Storage;
using Xunit;

namespace GeoGrains.Tests.Shared;

/// <summary>
/// What every <see cref="IRegionTable"/> backend must do; each backend's test class derives from this (the in-memory one
/// in the unit tests, Azure Table storage on a real Azurite in the integration tests).
/// </summary>
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

        var second = (await Table.WriteAsync([TableWrite.ReplaceOrInsert(partition, "k", Bytes(3), first)]))[0];
        Assert.NotEqual(first, second);

        // ETags are opaque to callers (Azure refuses a malformed one outright), so a stale one is one the table handed out.
        await Assert.ThrowsAsync<TableConditionFailedException>(() => Table.WriteAsync([TableWrite.ReplaceOrInsert(partition, "k", Bytes(2), first)]));
        await Assert.ThrowsAsync<TableConditionFailedException>(() => Table.WriteAsync([TableWrite.ReplaceOrInsert(partition, "missing", Bytes(2), first)]));
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

        await Table.WriteAsync([TableWrite.Upsert(partition, "o|a", Bytes(4))]);
        await Assert.ThrowsAsync<TableConditionFailedException>(() => Table.WriteAsync([TableWrite.Delete(partition, "o|a", etags[1])]));
        await Assert.ThrowsAsync<TableConditionFailedException>(() => Table.WriteAsync([TableWrite.Delete(partition, "missing", null)]));
        await Assert.ThrowsAsync<TableConditionFailedException>(() => Table.WriteAsync(
            [TableWrite.Upsert(partition, "o|c", Bytes(5)), TableWrite.Delete(partition, "o|a", etags[1])]));
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

    [Fact]
    public async Task A_row_replaced_by_a_smaller_one_keeps_nothing_of_the_larger()
    {
        var partition = Guid.NewGuid().ToString("N");
        var large = Enumerable.Range(0, 150_000).Select(i => (byte)i).ToArray();
        var etag = (await Table.WriteAsync([TableWrite.Upsert(partition, "k", large)]))[0];

        await Table.WriteAsync([TableWrite.ReplaceOrInsert(partition, "k", Bytes(9, 8, 7), etag)]);
        Assert.Equal([9, 8, 7], (await Table.ReadAsync(partition, "k"))!.Data);

        await Table.WriteAsync([TableWrite.Upsert(partition, "k", large), TableWrite.Upsert(partition, "other", Bytes(1))]);
        await Table.WriteAsync([TableWrite.Upsert(partition, "k", []), TableWrite.Upsert(partition, "other", Bytes(2))]);
        Assert.Empty((await Table.ReadAsync(partition, "k"))!.Data);
    }
}
