using GeoGrains.Runtime.Storage;

namespace GeoGrains.Tests.Storage;

public sealed class RegionStorageAccountTests
{
    private readonly RegionStorageAccount _account = new("eu-west");

    [Fact]
    public void Writes_are_conditional_on_the_etag()
    {
        var first = _account.TryWrite("k", new byte[] { 1 }, expectedETag: null);
        Assert.NotNull(first);
        Assert.Null(_account.TryWrite("k", new byte[] { 2 }, expectedETag: null));
        Assert.Null(_account.TryWrite("k", new byte[] { 2 }, expectedETag: "stale"));

        var second = _account.TryWrite("k", new byte[] { 3 }, first);

        Assert.NotNull(second);
        Assert.NotEqual(first, second);
        Assert.True(_account.TryRead("k", out var record));
        Assert.Equal([3], record.Data);
        Assert.Equal(second, record.ETag);
    }

    [Fact]
    public void Stored_bytes_are_a_copy()
    {
        var data = new byte[] { 1, 2 };
        _account.TryWrite("k", data, null);
        data[0] = 9;

        Assert.True(_account.TryRead("k", out var record));
        Assert.Equal([1, 2], record.Data);
    }

    [Fact]
    public void Delete_is_conditional_and_wipe_removes_everything()
    {
        var etag = _account.TryWrite("a", new byte[] { 1 }, null);
        _account.TryWrite("b", new byte[] { 1 }, null);

        Assert.False(_account.TryDelete("a", "stale"));
        Assert.True(_account.TryDelete("a", etag));
        Assert.False(_account.TryRead("a", out _));
        Assert.Equal(1, _account.Count);

        _account.Wipe();
        Assert.Equal(0, _account.Count);
    }
}
