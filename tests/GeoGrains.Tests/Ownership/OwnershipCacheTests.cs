using static GeoGrains.Tests.Ownership.DirectoryTestRegion;

namespace GeoGrains.Tests.Ownership;

/// <summary>A silo's copy of the directory against an in-process directory: what refreshes and lookups cost and answer.</summary>
public sealed class OwnershipCacheTests
{
    private static readonly RegionId Us = "us-east";
    private static readonly RegionId Eu = "eu-west";
    private static readonly RegionId Apac = "apac-east";

    [Fact]
    public async Task With_20000_moved_grains_starting_and_refreshing_read_no_override_and_one_move_is_exactly_one_change()
    {
        var region = new DirectoryTestRegion(Us);
        await region.SeedMovedGrainsAsync(0, 20_000, Eu, 2);
        var rowsBefore = region.Table.RowsRead;

        // Start-up: the directory reads its meta row and the partition rows (none here); the silo's copy, nothing.
        await region.ReactivateAsync();
        var cache = region.NewCache();
        Assert.Equal(0, await cache.RefreshAsync());
        Assert.Equal(1, region.Table.RowsRead - rowsBefore);

        // Nothing changed: one directory call answered from its memory, no storage round trip.
        var traffic = region.Traffic;
        var calls = region.Grain.GetChangesCalls;
        Assert.Equal(0, await cache.RefreshAsync());
        Assert.Equal(traffic, region.Traffic);
        Assert.Equal(calls + 1, region.Grain.GetChangesCalls);

        // A moved grain is asked about once.
        Assert.Equal(new GrainOwnership(Eu, 2), await cache.ResolveAsync(GrainOf(7), PartitionOf(7)));
        Assert.Equal(new GrainOwnership(Eu, 2), await cache.ResolveAsync(GrainOf(7), PartitionOf(7)));
        Assert.Equal(1, region.Grain.LookupCalls);

        // One move: the refresh returns exactly it, and routing follows without asking.
        await region.Directory.MergeAsync(Move(12_345, Apac, 3));
        traffic = region.Traffic;
        Assert.Equal(1, await cache.RefreshAsync());
        Assert.Equal(traffic, region.Traffic);
        Assert.Equal(new GrainOwnership(Apac, 3), await cache.ResolveAsync(GrainOf(12_345), PartitionOf(12_345)));
        Assert.Equal(1, region.Grain.LookupCalls);

        // After a restart of the directory the same refresh reads the one log row it needs.
        await region.Directory.MergeAsync(Move(7, Us, 3));
        await region.ReactivateAsync();
        rowsBefore = region.Table.RowsRead;
        traffic = region.Traffic;
        Assert.Equal(1, await cache.RefreshAsync());
        Assert.Equal(1, region.Table.RowsRead - rowsBefore);
        Assert.Equal(1, region.Traffic.Operations - traffic.Operations);
        Assert.Equal(new GrainOwnership(Us, 3), await cache.ResolveAsync(GrainOf(7), PartitionOf(7)));
        Assert.Equal(2, cache.CachedOverrides);
    }

    [Fact]
    public async Task A_grain_is_asked_about_once_even_by_concurrent_callers_and_a_cached_miss_learns_of_its_move()
    {
        var region = new DirectoryTestRegion(Us);
        await region.Directory.LoadAsync();
        var cache = region.NewCache();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => cache.ResolveAsync(GrainOf(1), PartitionOf(1)).AsTask()));
        Assert.All(answers, a => Assert.Equal(new GrainOwnership(Us, 1), a));
        Assert.Equal(1, region.Grain.LookupCalls);

        await region.Directory.MergeAsync(Move(1, Eu, 2));
        Assert.Equal(new GrainOwnership(Us, 1), await cache.ResolveAsync(GrainOf(1), PartitionOf(1))); // until the copy refreshes
        Assert.Equal(1, await cache.RefreshAsync());
        Assert.Equal(new GrainOwnership(Eu, 2), await cache.ResolveAsync(GrainOf(1), PartitionOf(1)));
        Assert.Equal(1, region.Grain.LookupCalls);
    }

    [Fact]
    public async Task A_newer_epoch_than_the_copy_knows_refreshes_it_first_and_a_local_merge_fences_at_once()
    {
        var region = new DirectoryTestRegion(Us);
        await region.Directory.LoadAsync();
        var cache = region.NewCache();
        Assert.Equal(new GrainOwnership(Us, 1), await cache.ResolveAsync(GrainOf(1), PartitionOf(1)));

        await region.Directory.MergeAsync(Move(1, Eu, 2));
        Assert.Equal(new GrainOwnership(Eu, 2), await cache.ResolveAsync(GrainOf(1), PartitionOf(1), atLeastEpoch: 2));

        var calls = (region.Grain.GetChangesCalls, region.Grain.LookupCalls);
        cache.Merge(Move(2, Apac, 2));
        cache.Merge(Move(1, Apac, 1)); // older than what the copy holds: ignored
        Assert.Equal(new GrainOwnership(Apac, 2), await cache.ResolveAsync(GrainOf(2), PartitionOf(2)));
        Assert.Equal(new GrainOwnership(Eu, 2), await cache.ResolveAsync(GrainOf(1), PartitionOf(1)));
        Assert.Equal(calls, (region.Grain.GetChangesCalls, region.Grain.LookupCalls));
    }

    [Fact]
    public async Task A_copy_whose_revision_fell_out_of_the_log_starts_over_and_asks_again()
    {
        var region = new DirectoryTestRegion(Us, logRetention: 5);
        await region.Directory.LoadAsync();
        var cache = region.NewCache();
        Assert.Equal(new GrainOwnership(Us, 1), await cache.ResolveAsync(GrainOf(1), PartitionOf(1)));

        for (var user = 1; user <= 10; user++)
        {
            await region.Directory.MergeAsync(Move(user, Eu, 2));
        }

        Assert.Equal(0, await cache.RefreshAsync()); // a reset: no override comes with it
        Assert.Equal(region.Directory.Cursor, cache.Cursor);
        Assert.Equal(0, cache.CachedOverrides);
        Assert.Equal(new GrainOwnership(Eu, 2), await cache.ResolveAsync(GrainOf(1), PartitionOf(1)));
        Assert.Equal(2, region.Grain.LookupCalls);

        // From there the log serves it again.
        await region.Directory.MergeAsync(Move(1, Apac, 3));
        Assert.Equal(1, await cache.RefreshAsync());
        Assert.Equal(new GrainOwnership(Apac, 3), await cache.ResolveAsync(GrainOf(1), PartitionOf(1)));
    }

    [Fact]
    public async Task A_full_copy_starts_over_and_keeps_answering_what_the_directory_holds()
    {
        var region = new DirectoryTestRegion(Us, maxCachedOverrides: 8);
        await region.Directory.LoadAsync();
        var cache = region.NewCache();
        for (var user = 0; user < 30; user += 2)
        {
            await region.Directory.MergeAsync(Move(user, Eu, 2));
        }

        for (var round = 0; round < 2; round++)
        {
            for (var user = 0; user < 30; user++)
            {
                var expected = user == 1 && round > 0 ? new GrainOwnership(Apac, 5) : user % 2 == 0 ? new GrainOwnership(Eu, 2) : new GrainOwnership(Us, 1);
                Assert.Equal(expected, await cache.ResolveAsync(GrainOf(user), PartitionOf(user)));
            }

            Assert.InRange(cache.CachedOverrides, 1, 8);
            await region.Directory.MergeAsync(Move(1, Apac, 5));
            await cache.RefreshAsync();
            Assert.Equal(new GrainOwnership(Apac, 5), await cache.ResolveAsync(GrainOf(1), PartitionOf(1)));
            await region.Directory.MergeAsync(Move(1, Us, 1)); // older: no change
        }
    }
}
