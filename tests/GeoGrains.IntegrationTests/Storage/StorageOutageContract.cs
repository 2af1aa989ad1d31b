using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Storage;

/// <summary>One region's storage goes down and comes back. Each backend runs it.</summary>
public abstract class StorageOutageContract
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected abstract GeoTestCluster Geo { get; }

    protected abstract Task TakeStorageDownAsync(RegionId region);

    protected abstract Task BringStorageBackAsync(RegionId region);

    [Fact]
    public async Task Writes_in_the_region_fail_with_a_typed_error_while_reads_and_other_regions_keep_working()
    {
        var euKey = $"eu-west/{Guid.NewGuid():N}";
        var usKey = $"us-east/{Guid.NewGuid():N}";
        var euGrain = Geo.Client("eu-west").GetGrain<IProfileGrain>(euKey);
        var usGrainSeenFromEu = Geo.Client("eu-west").GetGrain<IProfileGrain>(usKey);
        Assert.Equal(1, (await euGrain.Append(1)).Version);
        Assert.Equal(1, (await Geo.Client("us-east").GetGrain<IProfileGrain>(usKey).Append(1)).Version);
        await Eventually.Succeeds(async () => (await usGrainSeenFromEu.Get()).Version == 1 ? true : throw new InvalidOperationException("not yet"),
            Timeout, "eu-west has a warm replica of the us-east grain");

        await TakeStorageDownAsync("eu-west");
        try
        {
            var error = await Assert.ThrowsAsync<RegionStorageException>(() => euGrain.Append(2));
            Assert.Equal("eu-west", error.Region.Value);
            Assert.Contains("eu-west", error.Message);
            Assert.Contains(error.Storage, error.Message);

            // Forwarded from another region, the caller gets the same typed error.
            await Assert.ThrowsAsync<RegionStorageException>(() => Geo.Client("apac-east").GetGrain<IProfileGrain>(euKey).Append(3));

            // The warm replica in eu-west still answers; us-east takes writes and ships them to apac-east.
            Assert.Equal(1, (await usGrainSeenFromEu.Get()).Version);
            Assert.Equal(2, (await Geo.Client("us-east").GetGrain<IProfileGrain>(usKey).Append(2)).Version);
            await Eventually.Succeeds(async () => (await Geo.Client("apac-east").GetGrain<IProfileGrain>(usKey).Get()).Version == 2
                ? true : throw new InvalidOperationException("not yet"), Timeout, "apac-east receives us-east's write during eu-west's outage");
        }
        finally
        {
            await BringStorageBackAsync("eu-west");
        }

        // Back: writes work again, nothing acknowledged is lost, and every region converges.
        Assert.Equal(2, (await euGrain.Append(4)).Version);
        await Geo.WaitForReplicationAsync(Timeout);
        foreach (var region in Geo.Regions)
        {
            await Eventually.Succeeds(async () =>
            {
                var eu = await Geo.Client(region).GetGrain<IProfileGrain>(euKey).Get();
                var us = await Geo.Client(region).GetGrain<IProfileGrain>(usKey).Get();
                return eu.History.SequenceEqual([1, 4]) && us.History.SequenceEqual([1, 2]) ? true : throw new InvalidOperationException(
                    $"{region}: eu {string.Join(",", eu.History)} us {string.Join(",", us.History)}");
            }, Timeout, $"{region} converges");
        }
    }
}

/// <summary>The contract on in-memory accounts, made unavailable.</summary>
[Collection(ThreeRegionsCollection.Name)]
public sealed class MemoryStorageOutageTests(ThreeRegionsFixture fixture) : StorageOutageContract
{
    protected override GeoTestCluster Geo => fixture.Geo;

    protected override Task TakeStorageDownAsync(RegionId region)
    {
        Geo[region].Storage.IsAvailable = false;
        return Task.CompletedTask;
    }

    protected override Task BringStorageBackAsync(RegionId region)
    {
        Geo[region].Storage.IsAvailable = true;
        return Task.CompletedTask;
    }
}

/// <summary>The contract on Azurite: the region's Azurite is stopped and started again.</summary>
[Collection(AzureRegionsCollection.Name)]
public sealed class AzureStorageOutageTests(AzureGeoClusterFixture fixture) : StorageOutageContract
{
    protected override GeoTestCluster Geo => fixture.Geo;

    protected override Task TakeStorageDownAsync(RegionId region) => Geo[region].StopStorageAsync();

    protected override Task BringStorageBackAsync(RegionId region) => Geo[region].StartStorageAsync();
}
