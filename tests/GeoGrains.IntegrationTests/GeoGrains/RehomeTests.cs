using System.Collections.Concurrent;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.GeoGrains;

[Collection(ThreeRegionsCollection.Name)]
public sealed class RehomeTests(ThreeRegionsFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task Rehome_moves_a_grain_from_us_east_to_eu_west_while_writes_continue_losing_none_and_applying_none_twice()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        var grainId = Geo.Client("us-east").GetGrain<IProfileGrain>(key).GetGrainId();
        const int perWriter = 40;
        var receipts = new ConcurrentDictionary<int, WriteReceipt>();
        var moveRequested = new TaskCompletionSource();

        // Two writers in two non-home regions (so each write crosses the WAN and they overlap the move), each writing
        // its own items one after another.
        async Task Writer(RegionId region, int first)
        {
            var grain = Geo.Client(region).GetGrain<IProfileGrain>(key);
            for (var i = 0; i < perWriter; i++)
            {
                var item = first + i;
                receipts[item] = await grain.Append(item);
                if (i == perWriter / 4)
                {
                    moveRequested.TrySetResult();
                }
            }
        }

        var writers = Task.WhenAll(Writer("apac-east", 0), Writer("eu-west", 1000));
        await moveRequested.Task.WaitAsync(Timeout);
        var moved = await Geo.Client("eu-west").RehomeAsync(Geo.Client("eu-west").GetGrain<IProfileGrain>(key), "eu-west");
        await writers.WaitAsync(Timeout);

        Assert.Equal("eu-west", moved.Owner.Value);
        Assert.Equal(2, moved.Epoch);

        // Every write took effect exactly once, each with its own version, and the versions are 1..N.
        var total = 2 * perWriter;
        Assert.Equal(Enumerable.Range(1, total).Select(v => (long)v), receipts.Values.Select(r => r.Version).Order());

        // Each writer saw its own versions strictly increase, and its writes ran in us-east before the move and eu-west after.
        foreach (var first in new[] { 0, 1000 })
        {
            var mine = Enumerable.Range(first, perWriter).Select(i => receipts[i]).ToList();
            Assert.True(mine.Zip(mine.Skip(1)).All(p => p.First.Version < p.Second.Version), $"writer {first}: versions not increasing");
            var regions = mine.Select(r => r.ExecutedIn.Value).ToList();
            var trace = string.Join(", ", mine.Select(r => $"{r.Version}@{r.ExecutedIn}"));
            Assert.True(regions[0] == "us-east" && regions[^1] == "eu-west", $"writer {first}: {trace}");
            Assert.Equal(regions.Count, regions.TakeWhile(r => r == "us-east").Count() + regions.SkipWhile(r => r == "us-east").Count(r => r == "eu-west"));
        }

        // The owner's history holds every item once, in commit order, and every region converges to it.
        var history = (await Geo.Client("eu-west").GetGrain<IProfileGrain>(key).Get()).History;
        Assert.Equal(total, history.Length);
        Assert.Equal(Enumerable.Range(0, perWriter).Concat(Enumerable.Range(1000, perWriter)).Order(), history.Order());
        foreach (var region in Geo.Regions)
        {
            await Eventually.Succeeds(async () =>
            {
                var view = await Geo.Client(region).GetGrain<IProfileGrain>(key).Get();
                return view.Version == total && view.History.SequenceEqual(history) ? true : throw new InvalidOperationException($"{region} at version {view.Version}");
            }, Timeout, $"{region} converges");
            var owner = await Geo.Client(region).GetOwnerAsync(Geo.Client(region).GetGrain<IProfileGrain>(key));
            Assert.Equal(new GrainOwnership("eu-west", 2), owner);
        }

        // Later writes from anywhere run in eu-west.
        Assert.Equal("eu-west", (await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Rename("moved")).ExecutedIn.Value);
    }

    [Fact]
    public async Task A_region_that_missed_a_move_learns_it_from_the_others_after_the_partition_heals()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        var grain = Geo.Client("us-east").GetGrain<IProfileGrain>(key);
        await grain.Rename("before");
        Geo.Isolate("apac-east");
        try
        {
            // apac-east cannot be told; the move still completes between the two regions that matter.
            Assert.Equal(new GrainOwnership("eu-west", 2), await Geo.Client("us-east").RehomeAsync(grain, "eu-west"));
            Assert.Equal(new GrainOwnership("us-east", 1), await Geo.Client("apac-east").GetOwnerAsync(Geo.Client("apac-east").GetGrain<IProfileGrain>(key)));
        }
        finally
        {
            Geo.Heal();
        }

        var learned = await Eventually.Succeeds(async () =>
        {
            var owner = await Geo.Client("apac-east").GetOwnerAsync(Geo.Client("apac-east").GetGrain<IProfileGrain>(key));
            return owner.Owner == "eu-west" ? owner : throw new InvalidOperationException($"apac-east still says {owner}");
        }, Timeout, "apac-east's directory converges");

        Assert.Equal(new GrainOwnership("eu-west", 2), learned);
        Assert.Equal("eu-west", (await Geo.Client("apac-east").GetGrain<IProfileGrain>(key).Rename("after")).ExecutedIn.Value);
    }

    [Fact]
    public async Task A_move_whose_confirmation_is_lost_still_leaves_exactly_one_writer()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        var grain = Geo.Client("us-east").GetGrain<IProfileGrain>(key);
        await grain.Append(1);

        // eu-west takes ownership, but its answer never reaches us-east: the move is in doubt there.
        Geo.Network.Drop<IOwnershipDirectoryGrain>("eu-west", "us-east");
        try
        {
            var error = await Assert.ThrowsAsync<RegionUnreachableException>(() => Geo.Client("us-east").RehomeAsync(grain, "eu-west"));
            Assert.Contains("in doubt", error.Message);

            // us-east stepped down, so both regions agree on the one writer: eu-west, continuing the version history.
            var fromUs = await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Append(2);
            var fromEu = await Geo.Client("eu-west").GetGrain<IProfileGrain>(key).Append(3);
            Assert.Equal(("eu-west", 2L), (fromUs.ExecutedIn.Value, fromUs.Version));
            Assert.Equal(("eu-west", 3L), (fromEu.ExecutedIn.Value, fromEu.Version));
        }
        finally
        {
            Geo.Heal();
        }

        await Eventually.Succeeds(async () =>
        {
            var owner = await Geo.Client("apac-east").GetOwnerAsync(Geo.Client("apac-east").GetGrain<IProfileGrain>(key));
            return owner == new GrainOwnership("eu-west", 2) ? true : throw new InvalidOperationException($"apac-east says {owner}");
        }, Timeout, "every region learns the move");
    }

    [Fact]
    public async Task A_move_the_new_owner_never_heard_of_takes_no_writes_until_the_regions_reconnect()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        var grain = Geo.Client("us-east").GetGrain<IProfileGrain>(key);
        await grain.Append(1);

        // The hand-over never reaches eu-west. us-east steps down anyway: a second writer is worse than none.
        Geo.Network.Drop<IOwnershipDirectoryGrain>("us-east", "eu-west");
        try
        {
            await Assert.ThrowsAsync<RegionUnreachableException>(() => Geo.Client("us-east").RehomeAsync(grain, "eu-west"));

            var refused = await Assert.ThrowsAnyAsync<GeoGrainsException>(() => Geo.Client("us-east").GetGrain<IProfileGrain>(key).Append(2));
            Assert.Contains("directories disagree", refused.Message);
            Assert.Equal(1, (await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Get()).Version);
            Assert.Equal(1, (await Geo.Client("eu-west").GetGrain<IProfileGrain>(key).Get()).Version);
        }
        finally
        {
            Geo.Heal();
        }

        // Once the regions talk again, anti-entropy completes the move and writes resume in eu-west from version 2.
        var resumed = await Eventually.Succeeds(
            () => Geo.Client("apac-east").GetGrain<IProfileGrain>(key).Append(2), Timeout, "writes resume after the move completes");
        Assert.Equal(("eu-west", 2L), (resumed.ExecutedIn.Value, resumed.Version));
        Assert.Equal(new[] { 1, 2 }, (await Geo.Client("eu-west").GetGrain<IProfileGrain>(key).Get()).History.ToArray());
    }

    [Fact]
    public async Task Rehome_to_the_current_owner_changes_nothing_and_to_an_unknown_region_is_refused()
    {
        var key = $"apac-east/{Guid.NewGuid():N}";
        var grainId = Geo.Client("apac-east").GetGrain<IProfileGrain>(key).GetGrainId();
        await Geo.Client("apac-east").GetGrain<IProfileGrain>(key).Rename("stay");
        var admin = Geo.Client("us-east").GetGrain<IGeoAdminGrain>(0);

        Assert.Equal(new GrainOwnership("apac-east", 1), await admin.Rehome(grainId, "apac-east"));
        var error = await Assert.ThrowsAsync<UnknownRegionException>(() => admin.Rehome(grainId, "mars-north"));
        Assert.Equal("mars-north", error.Region.Value);
        Assert.Equal(new GrainOwnership("apac-east", 1), await admin.GetOwner(grainId));
    }
}
