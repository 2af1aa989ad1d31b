using GeoGrains.Runtime.Failover;

namespace GeoGrains.Tests.Ownership;

/// <summary>
/// The fence a takeover's new owner puts in every survivor's directory before it writes a grain: a move decided before the
/// takeover (its answer lost) can no longer win afterwards, and a move that did arrive first is respected.
/// </summary>
public sealed class DirectoryFenceTests
{
    private static readonly long Takeover = RegionConfiguration.EpochOf(1);

    // us-east taken over in generation 1: its grains (in this test's partition) go to eu-west.
    private static readonly RegionConfiguration Configuration = RegionConfiguration.Initial.With("us-east", TenureState.Away, ["eu-west"], DateTimeOffset.UnixEpoch);

    private static readonly GrainOwnership TakenBy = new("eu-west", Takeover);

    private Task<GrainOwnership> FenceAsync(int user) =>
        _region.Directory.FenceAsync(DirectoryTestRegion.GrainOf(user), DirectoryTestRegion.PartitionOf(user), Configuration, TakenBy, "us-east");

    private readonly DirectoryTestRegion _region = new("apac-east");

    [Fact]
    public async Task A_fenced_grain_resolves_through_the_failed_region_and_a_later_arriving_older_move_loses()
    {
        var fence = await FenceAsync(1);
        Assert.Equal(new GrainOwnership("us-east", Takeover - 1), fence);

        // us-east's hand-over to apac-east (epoch 2, decided before the takeover) arrives now: it must not take the grain.
        var held = await _region.Directory.MergeAsync(DirectoryTestRegion.Move(1, "apac-east", 2));
        Assert.Equal(fence, held.Resolve(DirectoryTestRegion.GrainOf(1), DirectoryTestRegion.PartitionOf(1)));

        // Through us-east's tenure the fence resolves to the successor, as the grain did before it.
        Assert.Equal(TakenBy, Configuration.Resolve(fence, DirectoryTestRegion.PartitionOf(1)));
    }

    [Fact]
    public async Task A_move_to_another_region_that_arrived_before_the_fence_is_respected_and_nothing_is_written()
    {
        await _region.Directory.MergeAsync(DirectoryTestRegion.Move(1, "apac-east", 2));
        var writes = _region.Traffic.Writes;

        var held = await FenceAsync(1);

        Assert.Equal(new GrainOwnership("apac-east", 2), held);
        Assert.Equal(writes, _region.Traffic.Writes);
    }

    [Fact]
    public async Task A_move_to_the_failed_region_is_fenced_and_fencing_twice_writes_once()
    {
        await _region.Directory.MergeAsync(DirectoryTestRegion.Move(1, "us-east", 2));

        var first = await FenceAsync(1);
        var writes = _region.Traffic.Writes;
        var second = await FenceAsync(1);

        Assert.Equal(new GrainOwnership("us-east", Takeover - 1), first);
        Assert.Equal(first, second);
        Assert.Equal(writes, _region.Traffic.Writes);

        // A new activation reads the fence from storage.
        var reactivated = await _region.ReactivateAsync();
        Assert.Equal(first, (await reactivated.LookupAsync(DirectoryTestRegion.GrainOf(1))).Ownership);
    }

    [Fact]
    public async Task A_fence_of_an_earlier_takeover_that_resolves_to_this_one_is_replaced_by_a_higher_one()
    {
        // Chained: us-east's grains went to eu-west (generation 1, fenced then), and eu-west's to apac-east (generation 2).
        var chained = Configuration.With("eu-west", TenureState.Away, ["apac-east"], DateTimeOffset.UnixEpoch);
        var second = new GrainOwnership("apac-east", RegionConfiguration.EpochOf(2));
        await FenceAsync(1);

        var held = await _region.Directory.FenceAsync(DirectoryTestRegion.GrainOf(1), DirectoryTestRegion.PartitionOf(1), chained, second, "eu-west");

        Assert.Equal(new GrainOwnership("eu-west", second.Epoch - 1), held);
        Assert.Equal(second, chained.Resolve(held, DirectoryTestRegion.PartitionOf(1)));
    }
}
