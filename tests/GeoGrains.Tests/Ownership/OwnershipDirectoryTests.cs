using GeoGrains.Runtime.Topology;
using System.Collections.Immutable;
using GeoGrains.Runtime.Ownership;
using static GeoGrains.Tests.Ownership.DirectoryTestRegion;

namespace GeoGrains.Tests.Ownership;

/// <summary>The directory's rows, revisions, log and anti-entropy, on in-memory tables.</summary>
public sealed class OwnershipDirectoryTests
{
    private static readonly RegionId Us = "us-east";
    private static readonly RegionId Eu = "eu-west";
    private static readonly RegionId Apac = "apac-east";

    [Fact]
    public async Task A_move_is_one_atomic_write_of_its_entry_log_and_meta_rows_and_a_reader_gets_exactly_it()
    {
        var region = new DirectoryTestRegion(Us);
        await region.Directory.LoadAsync();
        var before = region.Directory.Cursor;
        var traffic = region.Traffic;

        var current = await region.Directory.MergeAsync(Move(1, Eu, 2));

        Assert.Equal(new GrainOwnership(Eu, 2), current.Grains[GrainOf(1).ToString()]);
        Assert.Equal(1, region.Traffic.Writes - traffic.Writes);
        Assert.Equal(3, region.Traffic.RowsWritten - traffic.RowsWritten);
        Assert.Equal(before.Revision + 1, region.Directory.Cursor.Revision);

        var changes = await region.Directory.GetChangesAsync(before);
        Assert.False(changes.Reset);
        Assert.Equal(region.Directory.Cursor, changes.Cursor);
        Assert.Equal(new GrainOwnership(Eu, 2), Assert.Single(changes.Changes.Grains, g => g.Key == GrainOf(1).ToString()).Value);
        Assert.Equal(1, changes.Changes.Count);
        Assert.Equal(0, (await region.Directory.GetChangesAsync(changes.Cursor)).Changes.Count);

        // A new activation, with nothing in memory, answers the same from the stored log.
        await region.ReactivateAsync();
        var stored = await region.Directory.GetChangesAsync(before);
        Assert.Equal(changes.Cursor, stored.Cursor);
        Assert.Equal(new GrainOwnership(Eu, 2), Assert.Single(stored.Changes.Grains).Value);
    }

    [Fact]
    public async Task Merging_keeps_the_higher_epoch_writes_nothing_when_nothing_is_newer_and_returns_what_is_held()
    {
        var region = new DirectoryTestRegion(Us);
        await region.Directory.LoadAsync();
        await region.Directory.MergeAsync(Move(1, Eu, 3));
        var cursor = region.Directory.Cursor;
        var traffic = region.Traffic;

        var older = await region.Directory.MergeAsync(Move(1, Apac, 2));
        var again = await region.Directory.MergeAsync(Move(1, Eu, 3));

        Assert.Equal(new GrainOwnership(Eu, 3), older.Grains[GrainOf(1).ToString()]);
        Assert.Equal(new GrainOwnership(Eu, 3), again.Grains[GrainOf(1).ToString()]);
        Assert.Equal(traffic.Writes, region.Traffic.Writes);
        Assert.Equal(cursor, region.Directory.Cursor);
        Assert.Equal(new GrainOwnership(Eu, 3), (await region.Directory.LookupAsync(GrainOf(1))).Ownership);
        Assert.Null((await region.Directory.LookupAsync(GrainOf(2))).Ownership);
    }

    [Fact]
    public async Task Partition_owners_are_stored_as_rows_and_loaded_whole_by_a_new_activation()
    {
        var region = new DirectoryTestRegion(Us);
        await region.Directory.LoadAsync();
        var partition = new HomePartition(Us, 5);
        await region.Directory.MergeAsync(OwnershipTable.Empty with { Partitions = ImmutableDictionary<HomePartition, GrainOwnership>.Empty.Add(partition, new GrainOwnership(Eu, 4)) });

        await region.ReactivateAsync();
        var load = await region.Directory.GetChangesAsync(DirectoryCursor.None);

        Assert.True(load.Reset);
        Assert.Equal(new GrainOwnership(Eu, 4), Assert.Single(load.Changes.Partitions).Value);
        Assert.Empty(load.Changes.Grains);
    }

    [Fact]
    public async Task The_log_keeps_only_its_retention_and_a_reader_behind_it_is_reset_to_the_partition_owners()
    {
        var region = new DirectoryTestRegion(Us, logRetention: 10);
        await region.Directory.LoadAsync();
        await region.Directory.MergeAsync(OwnershipTable.Empty with
        {
            Partitions = ImmutableDictionary<HomePartition, GrainOwnership>.Empty.Add(new HomePartition(Us, 1), new GrainOwnership(Apac, 2)),
        });
        for (var user = 1; user < 25; user++)
        {
            await region.Directory.MergeAsync(Move(user, Eu, 2));
        }

        Assert.Equal(25, region.Directory.Cursor.Revision);
        Assert.Equal(Enumerable.Range(16, 10).Select(r => $"l|{r:D19}"), await region.Table.LogRowsAsync());

        var incarnation = region.Directory.Cursor.Incarnation;
        var behind = await region.Directory.GetChangesAsync(new DirectoryCursor(incarnation, 5));
        Assert.True(behind.Reset);
        Assert.Equal(region.Directory.Cursor, behind.Cursor);
        Assert.Equal(new GrainOwnership(Apac, 2), Assert.Single(behind.Changes.Partitions).Value);
        Assert.Empty(behind.Changes.Grains);

        // The oldest reader the log still serves, and one from another incarnation of the directory.
        var oldest = await region.Directory.GetChangesAsync(new DirectoryCursor(incarnation, 15));
        Assert.False(oldest.Reset);
        Assert.Equal(Enumerable.Range(15, 10).Select(u => GrainOf(u).ToString()).Order(), oldest.Changes.Grains.Keys.Order());
        Assert.True((await region.Directory.GetChangesAsync(new DirectoryCursor(Guid.NewGuid(), 20))).Reset);
    }

    [Fact]
    public async Task Two_activations_writing_at_once_never_take_the_same_revision_and_readers_see_both_moves()
    {
        var region = new DirectoryTestRegion(Us);
        var first = new OwnershipDirectory(region.Store, 1000, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var second = new OwnershipDirectory(region.Store, 1000, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await first.LoadAsync();
        await second.LoadAsync();

        await first.MergeAsync(Move(1, Eu, 2));
        await second.MergeAsync(Move(2, Apac, 2)); // its meta is stale: the conditional write fails, it catches up and retries

        Assert.Equal(2, second.Cursor.Revision);
        Assert.Equal(2, (await region.Table.LogRowsAsync()).Count);
        var all = await second.GetChangesAsync(DirectoryCursor.Start);
        Assert.Equal([GrainOf(1).ToString(), GrainOf(2).ToString()], all.Changes.Grains.Keys.Order());

        // The first learns of the second's write when a reader is ahead of it.
        var fromFirst = await first.GetChangesAsync(all.Cursor);
        Assert.Equal(all.Cursor, fromFirst.Cursor);
        Assert.Equal(new GrainOwnership(Apac, 2), (await first.LookupAsync(GrainOf(2))).Ownership);
    }

    [Fact]
    public async Task Directories_converge_whatever_order_changes_arrive_in_and_then_stop_writing()
    {
        var us = new DirectoryTestRegion(Us);
        var eu = new DirectoryTestRegion(Eu);
        await us.Directory.LoadAsync();
        await eu.Directory.LoadAsync();
        await us.Directory.MergeAsync(Move(1, Eu, 2));
        await us.Directory.MergeAsync(Move(2, Apac, 4));
        await eu.Directory.MergeAsync(Move(1, Apac, 3));
        await eu.Directory.MergeAsync(Move(2, Eu, 2));
        await eu.Directory.MergeAsync(Move(3, Eu, 2));

        Assert.Equal(2, await us.Directory.PullAsync(Eu, eu.Grain));  // user 1 at epoch 3, user 3
        Assert.Equal(1, await eu.Directory.PullAsync(Us, us.Grain));  // user 2 at epoch 4; user 1 comes back unchanged
        Assert.Equal(0, await us.Directory.PullAsync(Eu, eu.Grain));

        foreach (var region in new[] { us, eu })
        {
            Assert.Equal(new GrainOwnership(Apac, 3), (await region.Directory.LookupAsync(GrainOf(1))).Ownership);
            Assert.Equal(new GrainOwnership(Apac, 4), (await region.Directory.LookupAsync(GrainOf(2))).Ownership);
            Assert.Equal(new GrainOwnership(Eu, 2), (await region.Directory.LookupAsync(GrainOf(3))).Ownership);
        }

        var writes = (us.Traffic.Writes, eu.Traffic.Writes);
        Assert.Equal(0, await us.Directory.PullAsync(Eu, eu.Grain));
        Assert.Equal(0, await eu.Directory.PullAsync(Us, us.Grain));
        Assert.Equal(writes, (us.Traffic.Writes, eu.Traffic.Writes));
    }

    [Fact]
    public async Task Anti_entropy_takes_only_the_changes_since_its_last_pull_and_a_restart_continues_from_its_stored_cursor()
    {
        var us = new DirectoryTestRegion(Us);
        var eu = new DirectoryTestRegion(Eu);
        await eu.SeedMovedGrainsAsync(0, 1000, Eu, 2);
        await eu.ReactivateAsync();
        await us.Directory.LoadAsync();

        // First contact: the other region's overrides are read page by page.
        Assert.Equal(1000, await us.Directory.PullAsync(Eu, eu.Grain));
        await eu.Directory.MergeAsync(Move(5000, Eu, 2));
        var calls = (eu.Grain.GetChangesCalls, eu.Grain.GetOverridesCalls);

        Assert.Equal(1, await us.Directory.PullAsync(Eu, eu.Grain));
        Assert.Equal((calls.GetChangesCalls + 1, calls.GetOverridesCalls), (eu.Grain.GetChangesCalls, eu.Grain.GetOverridesCalls));

        await us.ReactivateAsync();
        Assert.Equal(0, await us.Directory.PullAsync(Eu, eu.Grain));
        Assert.Equal(calls.GetOverridesCalls, eu.Grain.GetOverridesCalls);
        Assert.Equal(new GrainOwnership(Eu, 2), (await us.Directory.LookupAsync(GrainOf(5000))).Ownership);
    }

    [Fact]
    public async Task A_region_further_behind_than_the_others_log_reads_their_overrides_page_by_page_then_follows_the_log()
    {
        var us = new DirectoryTestRegion(Us);
        var eu = new DirectoryTestRegion(Eu, logRetention: 10);
        await us.Directory.LoadAsync();
        await eu.Directory.LoadAsync();
        await eu.Directory.MergeAsync(Move(0, Eu, 2));
        Assert.Equal(1, await us.Directory.PullAsync(Eu, eu.Grain));

        // us-east is away while eu-west makes more changes than its log keeps.
        await eu.SeedMovedGrainsAsync(1, 1201, Eu, 2);
        await eu.ReactivateAsync();
        var pages = eu.Grain.GetOverridesCalls;

        Assert.Equal(1200, await us.Directory.PullAsync(Eu, eu.Grain));
        Assert.Equal(3, eu.Grain.GetOverridesCalls - pages); // 1201 overrides, 500 a page
        foreach (var user in new[] { 0, 1, 600, 1200 })
        {
            Assert.Equal(new GrainOwnership(Eu, 2), (await us.Directory.LookupAsync(GrainOf(user))).Ownership);
        }

        await eu.Directory.MergeAsync(Move(7, Apac, 3));
        Assert.Equal(1, await us.Directory.PullAsync(Eu, eu.Grain));
        Assert.Equal(3, eu.Grain.GetOverridesCalls - pages);
        Assert.Equal(new GrainOwnership(Apac, 3), (await us.Directory.LookupAsync(GrainOf(7))).Ownership);
    }

    [Fact]
    public async Task A_change_larger_than_one_batch_is_written_as_several_revisions()
    {
        var region = new DirectoryTestRegion(Us);
        await region.Directory.LoadAsync();
        var many = OwnershipTable.Empty with
        {
            Grains = Enumerable.Range(0, 150).ToImmutableDictionary(u => GrainOf(u).ToString(), _ => new GrainOwnership(Eu, 2)),
        };

        var current = await region.Directory.MergeAsync(many);

        Assert.Equal(150, current.Grains.Count);
        Assert.Equal(3, region.Directory.Cursor.Revision);
        Assert.Equal(3, (await region.Table.LogRowsAsync()).Count);
        Assert.Equal(150, (await region.Directory.GetChangesAsync(DirectoryCursor.Start)).Changes.Count);
    }

    [Fact]
    public async Task A_write_the_storage_refuses_changes_nothing_in_memory()
    {
        var region = new DirectoryTestRegion(Us);
        await region.Directory.LoadAsync();
        Assert.Null((await region.Directory.LookupAsync(GrainOf(1))).Ownership); // known now: the merge goes straight to its write
        region.Account.IsAvailable = false;

        await Assert.ThrowsAsync<RegionStorageException>(() => region.Directory.MergeAsync(Move(1, Eu, 2)));
        region.Account.IsAvailable = true;

        Assert.Equal(DirectoryCursor.Start, region.Directory.Cursor);
        Assert.Null((await region.Directory.LookupAsync(GrainOf(1))).Ownership);
    }
}
