using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Storage;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Consistency;

/// <summary>
/// Write durability declared per grain type and chosen per call: what a write waits for, how it fails when a region
/// cannot be reached (committed, still shipping, never silently asynchronous), and the settings refused.
/// </summary>
public sealed class WriteDurabilityTests(WriteDurabilityFixture fixture) : NetworkFaultTests(() => fixture.Geo), IClassFixture<WriteDurabilityFixture>
{
    private static readonly TimeSpan ConvergenceTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_sync_write_with_a_region_partitioned_away_fails_naming_it_stays_committed_and_converges_after_healing()
    {
        var grain = Geo.Client("us-east").GetGrain<ISyncNoteGrain>($"us-east/{Guid.NewGuid():N}");
        await grain.Write("before");
        Geo.Isolate("apac-east");

        var incomplete = await Assert.ThrowsAsync<ReplicationIncompleteException>(() => grain.Write("during"));

        Assert.Equal([new RegionId("eu-west")], incomplete.Applied);
        Assert.Equal([new RegionId("apac-east")], incomplete.Missing);
        Assert.Equal((2L, 2), (incomplete.Version, incomplete.Required));
        Assert.Contains("apac-east", incomplete.Message);
        Assert.Equal("during", await grain.Read()); // committed in the owner region
        Assert.Equal(1, (await Geo["apac-east"].Store.ReadAsync(grain.GetGrainId()))!.Record.Version);

        Geo.Heal();
        await ConvergedAsync(grain, version: 2, "during");
    }

    [Fact]
    public async Task A_sync_write_forwarded_from_another_region_returns_once_every_other_region_applied_it()
    {
        var grain = Geo.Client("eu-west").GetGrain<ISyncNoteGrain>($"us-east/{Guid.NewGuid():N}");

        var receipt = await grain.Write("from eu-west");

        Assert.Equal(new RegionId("us-east"), receipt.ExecutedIn);
        foreach (var region in new RegionId[] { "eu-west", "apac-east" })
        {
            Assert.Equal(receipt.Version, (await Geo[region].Store.ReadAsync(grain.GetGrainId()))?.Record.Version);
        }
    }

    [Fact]
    public async Task An_async_grain_type_written_in_a_sync_or_semi_sync_scope_waits_as_the_scope_says()
    {
        var grain = Geo.Client("us-east").GetGrain<IProfileGrain>($"us-east/{Guid.NewGuid():N}");
        Geo.Isolate("apac-east");

        // The grain type's default: acknowledged by the owner region alone, partition or not.
        Assert.Equal(1, (await grain.Rename("async")).Version);

        using (GeoContext.Write(Durability.Sync))
        {
            var incomplete = await Assert.ThrowsAsync<ReplicationIncompleteException>(() => grain.Rename("sync"));
            Assert.Equal([new RegionId("apac-east")], incomplete.Missing);
        }

        using (GeoContext.Write(Durability.SemiSync(1).WithTimeout(TimeSpan.FromSeconds(2))))
        {
            var receipt = await grain.Rename("semi-sync");
            Assert.Equal(receipt.Version, (await Geo["eu-west"].Store.ReadAsync(grain.GetGrainId()))?.Record.Version);
        }
    }

    [Fact]
    public async Task A_grain_type_asking_semi_sync_from_as_many_regions_as_there_are_is_refused_naming_it()
    {
        var grain = Geo.Client("us-east").GetGrain<IOverreachingNoteGrain>($"us-east/{Guid.NewGuid():N}");

        var refused = await Assert.ThrowsAsync<InvalidConsistencyException>(() => grain.Write("x"));

        Assert.Contains($"{typeof(OverreachingNoteGrain).FullName}: SemiSync(3) needs 3 other regions", refused.Message);
        Assert.Contains("the topology has 3 regions", refused.Message);
    }

    [Fact]
    public async Task A_call_asking_semi_sync_from_as_many_regions_as_there_are_is_refused_and_writes_nothing()
    {
        var grain = Geo.Client("eu-west").GetGrain<IProfileGrain>($"us-east/{Guid.NewGuid():N}");

        using (GeoContext.Write(Durability.SemiSync(3)))
        {
            var refused = await Assert.ThrowsAsync<InvalidConsistencyException>(() => grain.Rename("x"));
            Assert.Contains($"{typeof(ProfileGrain).FullName}: SemiSync(3) needs 3 other regions", refused.Message);
        }

        Assert.Null(await Geo["us-east"].Store.ReadAsync(grain.GetGrainId()));
    }

    [Fact]
    public async Task An_unknown_durability_in_the_request_context_fails_the_write_naming_it()
    {
        var grain = Geo.Client("us-east").GetGrain<IProfileGrain>($"us-east/{Guid.NewGuid():N}");
        RequestContext.Set("geo.write", "quorum");
        try
        {
            var refused = await Assert.ThrowsAsync<InvalidConsistencyException>(() => grain.Rename("x"));
            Assert.Contains("'quorum' is not a replication mode", refused.Message);
        }
        finally
        {
            RequestContext.Remove("geo.write");
        }

        Assert.Null(await Geo["us-east"].Store.ReadAsync(grain.GetGrainId()));
    }

    private Task ConvergedAsync(INoteGrain grain, long version, string text) =>
        Eventually.Succeeds(async () =>
        {
            foreach (var region in Geo.Regions)
            {
                var stored = await Geo[region].Store.ReadAsync(grain.GetGrainId());
                if (stored?.Record.Version != version || GeoStateSerializer.Deserialize<Note>(stored.Record.State).Text != text)
                {
                    throw new InvalidOperationException($"{region} holds version {stored?.Record.Version}");
                }
            }

            return true;
        }, ConvergenceTimeout, $"every region to hold version {version} of {grain.GetGrainId()}");
}
