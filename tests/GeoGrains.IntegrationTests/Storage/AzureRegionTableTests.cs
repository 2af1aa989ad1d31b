using Azure.Data.Tables;
using GeoGrains.Runtime.Storage;
using GeoGrains.Testing.Azurite;
using GeoGrains.Tests.Shared;

namespace GeoGrains.IntegrationTests.Storage;

/// <summary>The table contract, and what only Azure has (size limits, outages, pages), on a real Azurite.</summary>
public sealed class AzureRegionTableTests : RegionTableContract, IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly AzuriteProcess _azurite;
    private readonly RegionStorageMetrics _metrics = new();
    private readonly AzureRegionTable _table;

    public AzureRegionTableTests(AzuriteFixture fixture)
    {
        _azurite = fixture.Azurite;
        _table = Create("eu-west", "contract", _metrics);
    }

    internal override IRegionTable Table => _table;

    public async Task InitializeAsync()
    {
        // A test that stopped the storage and failed must not take the others down with it.
        if (!_azurite.IsRunning)
        {
            await _azurite.StartAsync();
        }

        await _table.InitializeAsync();
    }

    public Task DisposeAsync()
    {
        _metrics.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_largest_row_round_trips_and_a_larger_one_is_refused_naming_its_size()
    {
        var partition = Guid.NewGuid().ToString("N");
        var largest = Enumerable.Range(0, AzureRegionTable.MaxRowBytes).Select(i => (byte)(i % 251)).ToArray();
        await _table.WriteAsync([TableWrite.Upsert(partition, "largest", largest)]);
        Assert.Equal(largest, (await _table.ReadAsync(partition, "largest"))!.Data);

        var error = await Assert.ThrowsAsync<RegionStorageException>(() =>
            _table.WriteAsync([TableWrite.Upsert(partition, "small", [1]), TableWrite.Upsert(partition, "too-large", new byte[AzureRegionTable.MaxRowBytes + 1])]));

        Assert.Contains($"{AzureRegionTable.MaxRowBytes + 1:N0} bytes", error.Message);
        Assert.Contains("too-large", error.Message);
        Assert.Null(await _table.ReadAsync(partition, "small"));
    }

    [Fact]
    public async Task Every_round_trip_is_counted_and_a_query_counts_one_per_page()
    {
        using var metrics = new RegionStorageMetrics();
        var table = Create("us-east", "contract", metrics, pageSize: 2);
        var partition = Guid.NewGuid().ToString("N");

        await table.WriteAsync([.. Enumerable.Range(0, 5).Select(i => TableWrite.Upsert(partition, $"r{i}", [(byte)i]))]);
        await table.WriteAsync([TableWrite.Upsert(partition, "single", [9])]);
        await table.ReadAsync(partition, "r0");
        await table.ReadAsync(partition, "missing");
        var rows = await table.QueryAsync(partition, "r", "s").ToListAsync();
        await Assert.ThrowsAsync<TableConditionFailedException>(() => table.WriteAsync([TableWrite.Insert(partition, "r1", [1])]));

        Assert.Equal(["r0", "r1", "r2", "r3", "r4"], rows.Select(r => r.RowKey));
        Assert.Equal(new RegionStorageTraffic(Reads: 2, Queries: 3, Writes: 3, RowsWritten: 7), metrics.Get("us-east"));
    }

    [Fact]
    public async Task While_the_storage_is_down_operations_fail_with_a_typed_error_and_acknowledged_rows_survive_the_restart()
    {
        var partition = Guid.NewGuid().ToString("N");
        await _table.WriteAsync([TableWrite.Upsert(partition, "before", [1, 2, 3])]);

        await _azurite.StopAsync();
        try
        {
            var write = await Assert.ThrowsAsync<RegionStorageException>(() => _table.WriteAsync([TableWrite.Upsert(partition, "during", [4])]));
            var read = await Assert.ThrowsAsync<RegionStorageException>(() => _table.ReadAsync(partition, "before"));
            var query = await Assert.ThrowsAsync<RegionStorageException>(async () => await _table.QueryAsync(partition, "a", "z").ToListAsync());

            foreach (var error in new[] { write, read, query })
            {
                Assert.Equal("eu-west", error.Region.Value);
                Assert.Contains("'contract'", error.Storage);
                Assert.Contains(_azurite.TableEndpoint.ToString(), error.Storage);
                Assert.Contains("eu-west", error.Message);
                Assert.DoesNotContain(AzuriteProcess.AccountKey, error.ToString());
            }
        }
        finally
        {
            await _azurite.StartAsync();
        }

        var survived = await _table.ReadAsync(partition, "before");
        Assert.True(survived is not null, "a row Azurite acknowledged before it stopped was lost by the restart");
        Assert.Equal([1, 2, 3], survived.Data);
        Assert.Null(await _table.ReadAsync(partition, "during"));
    }

    [Fact]
    public async Task A_missing_table_is_a_storage_failure_not_a_failed_condition()
    {
        var table = Create("eu-west", "nevercreated", _metrics);

        var error = await Assert.ThrowsAsync<RegionStorageException>(() => table.WriteAsync([TableWrite.ReplaceOrInsert("p", "r", [1], "W/\"datetime'2020-01-01T00%3A00%3A00Z'\"")]));

        Assert.Contains("TableNotFound", error.Message);
    }

    private AzureRegionTable Create(RegionId region, string tableName, RegionStorageMetrics metrics, int pageSize = 1000) =>
        new(region, new TableServiceClient(_azurite.ConnectionString, AzureTableSettings.ClientOptions()), tableName, metrics, pageSize);
}
