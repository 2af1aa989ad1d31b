using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Topology;
using Orleans.Runtime;

namespace GeoGrains.Tests.Ownership;

public sealed class OwnershipTableTests
{
    private static readonly GrainId Alice = GrainId.Create("profile", "us-east/alice");
    private static readonly HomePartition AlicePartition = HomePartition.Of("us-east", "us-east/alice", 64);

    [Fact]
    public void Grains_are_owned_by_their_home_region_at_epoch_1_until_moved()
    {
        Assert.Equal(new GrainOwnership("us-east", 1), OwnershipTable.Empty.Resolve(Alice, AlicePartition));
    }

    [Fact]
    public void A_move_needs_a_higher_epoch()
    {
        var moved = OwnershipTable.Empty.WithGrain(Alice, AlicePartition, new GrainOwnership("eu-west", 2));
        var stale = moved.WithGrain(Alice, AlicePartition, new GrainOwnership("apac-east", 2));

        Assert.Equal(new GrainOwnership("eu-west", 2), moved.Resolve(Alice, AlicePartition));
        Assert.Same(moved, stale);
        Assert.Same(OwnershipTable.Empty, OwnershipTable.Empty.WithGrain(Alice, AlicePartition, new GrainOwnership("eu-west", 1)));
    }

    [Fact]
    public void Merging_keeps_the_higher_epoch_whatever_the_order()
    {
        var bob = GrainId.Create("profile", "eu-west/bob");
        var bobPartition = HomePartition.Of("eu-west", "eu-west/bob", 64);
        var a = OwnershipTable.Empty.WithGrain(Alice, AlicePartition, new GrainOwnership("eu-west", 2))
            .WithGrain(bob, bobPartition, new GrainOwnership("us-east", 5));
        var b = OwnershipTable.Empty.WithGrain(Alice, AlicePartition, new GrainOwnership("apac-east", 3))
            .WithGrain(bob, bobPartition, new GrainOwnership("apac-east", 4));

        foreach (var merged in new[] { a.Merge(b), b.Merge(a) })
        {
            Assert.Equal(new GrainOwnership("apac-east", 3), merged.Resolve(Alice, AlicePartition));
            Assert.Equal(new GrainOwnership("us-east", 5), merged.Resolve(bob, bobPartition));
        }

        // Merging what is already known changes nothing, so a directory does not rewrite its storage for it.
        var both = a.Merge(b);
        Assert.Same(both, both.Merge(a));
    }

    [Fact]
    public void A_moved_partition_moves_every_grain_in_it_that_was_not_moved_on_its_own()
    {
        var table = OwnershipTable.Empty with
        {
            Partitions = OwnershipTable.Empty.Partitions.SetItem(AlicePartition, new GrainOwnership("eu-west", 7)),
        };

        Assert.Equal(new GrainOwnership("eu-west", 7), table.Resolve(Alice, AlicePartition));
        Assert.Equal(new GrainOwnership("us-east", 1), table.Resolve(Alice, AlicePartition with { Bucket = (AlicePartition.Bucket + 1) % 64 }));
    }
}
