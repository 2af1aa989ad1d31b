using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Consistency;

/// <summary>
/// A semi-sync or sync write is in other regions' stores when the call returns, so it survives the loss of its owner
/// region right after. Its own cluster: it kills the owner region (and starts it again after each test).
/// </summary>
public sealed class DurableWriteSurvivalTests(WriteDurabilityFixture fixture) : IClassFixture<WriteDurabilityFixture>, IAsyncLifetime
{
    private static readonly RegionId Owner = "us-east";

    private GeoTestCluster Geo => fixture.Geo;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        Geo.Heal();
        if (!Geo[Owner].IsRunning)
        {
            await Geo.RestartRegionAsync(Owner);
        }
    }

    [Fact]
    public async Task A_sync_write_is_in_every_other_regions_store_when_acknowledged_and_after_its_owner_region_dies()
    {
        var grain = Geo.Client(Owner).GetGrain<ISyncNoteGrain>($"us-east/{Guid.NewGuid():N}");

        var receipt = await grain.Write("kept");
        await AssertStoredAsync(["eu-west", "apac-east"], grain, receipt.Version, "kept");
        await Geo.KillRegionAsync(Owner);

        await AssertStoredAsync(["eu-west", "apac-east"], grain, receipt.Version, "kept");
    }

    [Fact]
    public async Task A_semi_sync_write_is_in_the_region_that_acknowledged_it_when_its_owner_region_dies()
    {
        // Replication to apac-east is held back, so eu-west is the one region that can acknowledge.
        Geo.Network.Drop<IReplicationReceiverGrain>(Owner, "apac-east");
        var grain = Geo.Client(Owner).GetGrain<ISemiSyncNoteGrain>($"us-east/{Guid.NewGuid():N}");

        var receipt = await grain.Write("kept");
        await AssertStoredAsync(["eu-west"], grain, receipt.Version, "kept");
        await Geo.KillRegionAsync(Owner);

        await AssertStoredAsync(["eu-west"], grain, receipt.Version, "kept");
        Assert.Null(await Geo["apac-east"].Store.ReadAsync(grain.GetGrainId()));
    }

    private async Task AssertStoredAsync(RegionId[] regions, INoteGrain grain, long version, string text)
    {
        foreach (var region in regions)
        {
            var stored = await Geo[region].Store.ReadAsync(grain.GetGrainId());
            Assert.True(stored is not null, $"{region} has not stored the acknowledged write");
            Assert.Equal((version, text), (stored.Record.Version, GeoStateSerializer.Deserialize<Note>(stored.Record.State).Text));
        }
    }
}
