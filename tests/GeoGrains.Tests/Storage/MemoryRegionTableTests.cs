using GeoGrains.Runtime.Storage;
using GeoGrains.Tests.Shared;

namespace GeoGrains.Tests.Storage;

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
