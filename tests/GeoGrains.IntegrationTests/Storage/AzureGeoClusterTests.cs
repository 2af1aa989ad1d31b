using Azure.Data.Tables;
using GeoGrains.Configuration;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Storage;

/// <summary>Three regions, each on its own Azurite.</summary>
public sealed class AzureGeoClusterFixture : IAsyncLifetime
{
    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Geo = await new GeoTestClusterBuilder().WithAzureStorage().WithCallTimeout(TimeSpan.FromSeconds(2)).StartAsync();

    public async Task DisposeAsync() => await Geo.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class AzureRegionsCollection : ICollectionFixture<AzureGeoClusterFixture>
{
    public const string Name = "three regions on Azurite";
}

/// <summary>Geo grains and ordinary grains on Azure Table storage (Azurite), one account per region.</summary>
[Collection(AzureRegionsCollection.Name)]
public sealed class AzureGeoClusterTests(AzureGeoClusterFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task A_geo_grain_commits_to_its_home_regions_account_and_replicates_to_the_others()
    {
        var key = $"eu-west/{Guid.NewGuid():N}";

        var receipt = await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Rename("Alice");

        Assert.Equal("eu-west", receipt.ExecutedIn.Value);
        foreach (var region in Geo.Regions)
        {
            var view = await Eventually.Succeeds(async () =>
            {
                var seen = await Geo.Client(region).GetGrain<IProfileGrain>(key).Get();
                return seen.Version == receipt.Version ? seen : throw new InvalidOperationException($"{region} is at version {seen.Version}");
            }, Timeout, $"{region} serves version {receipt.Version}");
            Assert.Equal("Alice", view.Name);
        }

        // Each region keeps its copy in its own account: the record rows are in every Azurite.
        foreach (var region in Geo.Regions)
        {
            Assert.True(await CountRowsAsync(region, new RegionStorageOptions().TableName) > 1, $"{region}'s Azurite holds no geo grain rows");
        }
    }

    [Fact]
    public async Task Default_grain_storage_is_the_regions_azure_table_and_survives_a_region_kill()
    {
        var counter = Geo.Client("apac-east").GetGrain<ICounterGrain>("azure-kept");
        await counter.Increment();
        Assert.Equal(2, await counter.Increment());
        var stateTable = new RegionStorageOptions().GrainStateTableName;
        Assert.True(await CountRowsAsync("apac-east", stateTable) > 0, "the counter's state is not in Orleans' grain state table of apac-east's Azurite");

        await Geo.KillRegionAsync("apac-east");
        await Geo.RestartRegionAsync("apac-east");

        Assert.Equal(2, await Geo.Client("apac-east").GetGrain<ICounterGrain>("azure-kept").Get());
        Assert.Equal(3, await Geo.Client("apac-east").GetGrain<ICounterGrain>("azure-kept").Increment());
    }

    [Fact]
    public async Task While_a_regions_storage_is_down_its_writes_fail_with_a_typed_error_and_work_again_after()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        var profile = Geo.Client("us-east").GetGrain<IProfileGrain>(key);
        Assert.Equal(1, (await profile.Rename("before")).Version);

        await Geo["us-east"].StopStorageAsync();
        try
        {
            var error = await Assert.ThrowsAsync<RegionStorageException>(() => profile.Rename("during").WaitAsync(Timeout));
            Assert.Equal("us-east", error.Region.Value);
            Assert.Contains(Geo["us-east"].Azurite!.TableEndpoint.ToString(), error.Storage);
        }
        finally
        {
            await Geo["us-east"].StartStorageAsync();
        }

        var after = await Eventually.Succeeds(() => profile.Rename("after"), Timeout, "a write after the storage is back");
        Assert.Equal(2, after.Version);
        Assert.Equal("after", (await profile.Get()).Name);
    }

    [Fact]
    public void Azure_regions_have_no_in_memory_account()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Geo["eu-west"].Storage);

        Assert.Equal(RegionStorageProvider.AzureTable, Geo["eu-west"].StorageProvider);
        Assert.Contains("Azurite", error.Message);
    }

    private async Task<int> CountRowsAsync(RegionId region, string table)
    {
        var client = new TableClient(Geo[region].Azurite!.ConnectionString, table);
        var count = 0;
        await foreach (var _ in client.QueryAsync<TableEntity>(select: ["PartitionKey"]))
        {
            count++;
        }

        return count;
    }
}
