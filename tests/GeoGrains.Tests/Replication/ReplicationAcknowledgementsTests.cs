using GeoGrains.Runtime.Storage;
using System.Text;
using GeoGrains.Runtime.Replication;
using Orleans.Runtime;

namespace GeoGrains.Tests.Replication;

/// <summary>Semi-sync and sync writes waiting for the regions that apply them.</summary>
public sealed class ReplicationAcknowledgementsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly GrainId Grain = GrainId.Create("profile", "us-east/alice");

    private readonly ReplicationAcknowledgements _acks = new(["eu-west", "apac-east"], TimeProvider.System);

    private static GeoRecord Version(long v, long epoch = 1) => new(v, epoch, new HybridTimestamp(v, 0), "us-east", Encoding.UTF8.GetBytes($"{{\"v\":{v}}}"));

    private void Ack(RegionId region, GrainId grain, GeoRecord record) => _acks.Acknowledged(region, [new ReplicatedChange(grain, record)]);

    [Fact]
    public async Task A_semi_sync_write_is_done_when_the_first_region_applies_it()
    {
        using var waiter = _acks.Expect(Grain, Version(3), required: 1);
        var waiting = waiter.WaitAsync(Timeout);
        Assert.False(waiting.IsCompleted);

        Ack("apac-east", Grain, Version(3));

        await waiting;
        Assert.Equal(0, _acks.Waiting);
    }

    [Fact]
    public async Task A_sync_write_waits_for_every_region_and_a_region_counts_once()
    {
        using var waiter = _acks.Expect(Grain, Version(3), required: 2);
        var waiting = waiter.WaitAsync(Timeout);

        Ack("eu-west", Grain, Version(3));
        Ack("eu-west", Grain, Version(3));
        Assert.False(waiting.IsCompleted);

        Ack("apac-east", Grain, Version(3));
        await waiting;
    }

    [Fact]
    public async Task A_newer_version_applied_satisfies_the_wait_for_an_older_one_but_not_the_other_way_round()
    {
        using var older = _acks.Expect(Grain, Version(3), required: 1);
        using var newer = _acks.Expect(Grain, Version(4), required: 1);
        using var nextEpoch = _acks.Expect(Grain, Version(1, epoch: 2), required: 1);

        Ack("eu-west", Grain, Version(4));

        await older.WaitAsync(Timeout);
        await newer.WaitAsync(Timeout);
        Assert.Equal(1, _acks.Waiting);

        Ack("eu-west", Grain, Version(9, epoch: 1));
        Assert.Equal(1, _acks.Waiting);
        Ack("eu-west", Grain, Version(1, epoch: 2));
        await nextEpoch.WaitAsync(Timeout);
    }

    [Fact]
    public void Another_grains_acknowledgement_does_not_count()
    {
        using var waiter = _acks.Expect(Grain, Version(1), required: 1);

        Ack("eu-west", GrainId.Create("profile", "us-east/bob"), Version(7));

        Assert.False(waiter.WaitAsync(Timeout).IsCompleted);
        Assert.Equal(1, _acks.Waiting);
    }

    [Fact]
    public async Task A_wait_that_runs_out_names_the_regions_that_applied_the_write_and_those_that_did_not()
    {
        using var waiter = _acks.Expect(Grain, Version(5), required: 2);
        Ack("apac-east", Grain, Version(5));

        var incomplete = await Assert.ThrowsAsync<ReplicationIncompleteException>(() => waiter.WaitAsync(TimeSpan.FromMilliseconds(20)));

        Assert.Equal([new RegionId("apac-east")], incomplete.Applied);
        Assert.Equal([new RegionId("eu-west")], incomplete.Missing);
        Assert.Equal((Grain.ToString(), 5L, 2), (incomplete.Grain, incomplete.Version, incomplete.Required));
        Assert.Contains("applied by 1 of the 2 other regions", incomplete.Message);
        Assert.Contains("not yet: eu-west", incomplete.Message);
    }

    [Fact]
    public async Task Nothing_to_wait_for_when_no_other_region_is_required()
    {
        using var waiter = _acks.Expect(Grain, Version(1), required: 0);

        await waiter.WaitAsync(Timeout);
        Assert.Equal(0, _acks.Waiting);
    }

    [Fact]
    public void A_write_cannot_wait_for_more_regions_than_there_are()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _acks.Expect(Grain, Version(1), required: 3));
    }

    [Fact]
    public void A_waiter_given_up_leaves_the_registry()
    {
        var waiter = _acks.Expect(Grain, Version(1), required: 1);
        Assert.Equal(1, _acks.Waiting);

        waiter.Dispose();

        Assert.Equal(0, _acks.Waiting);
        Ack("eu-west", Grain, Version(1)); // a late acknowledgement finds nothing to do
    }

    [Fact]
    public async Task Only_an_eligible_region_counts_toward_a_write()
    {
        // apac-east is away (drained, or taken over and not failed back): a takeover's promotion would not read it.
        using var waiter = _acks.Expect(Grain, Version(2), required: 1, eligible: [new RegionId("eu-west")]);
        var waiting = waiter.WaitAsync(Timeout);

        Ack("apac-east", Grain, Version(2));
        Assert.False(waiting.IsCompleted);

        Ack("eu-west", Grain, Version(2));
        await waiting;
        Assert.Equal([new RegionId("eu-west")], waiter.Counted);
    }

    [Fact]
    public async Task A_write_that_needs_more_regions_than_are_eligible_fails_at_once_naming_them()
    {
        using var waiter = _acks.Expect(Grain, Version(2), required: 2, eligible: [new RegionId("eu-west")]);

        var incomplete = await Assert.ThrowsAsync<ReplicationIncompleteException>(() => waiter.WaitAsync(Timeout));

        Assert.Empty(incomplete.Applied);
        Assert.Equal([new RegionId("apac-east"), new RegionId("eu-west")], incomplete.Missing.Order());
    }

    [Fact]
    public async Task A_region_that_refuses_the_version_fails_the_write_with_ownership_lost()
    {
        var acks = new ReplicationAcknowledgements(["eu-west", "apac-east"], TimeProvider.System, "us-east");
        using var waiter = acks.Expect(Grain, Version(5), required: 1);
        using var later = acks.Expect(Grain, Version(6), required: 1);
        acks.Acknowledged("apac-east", [new ReplicatedChange(Grain, Version(4))]);

        acks.Refused("eu-west", [new ReplicatedChange(Grain, Version(5))]);

        var lost = await Assert.ThrowsAsync<OwnershipLostException>(() => waiter.WaitAsync(Timeout));
        Assert.Equal((Grain.ToString(), new RegionId("us-east"), 1L, 5L), (lost.Grain, lost.Region, lost.Epoch, lost.Version));
        Assert.Contains("eu-west", lost.Message);
        Assert.Contains("not acknowledged", lost.Message);

        // A refusal of version 5 says nothing of version 6, which still waits (and an acknowledgement of 6 ends it).
        Assert.Equal(1, acks.Waiting);
        acks.Acknowledged("apac-east", [new ReplicatedChange(Grain, Version(6))]);
        await later.WaitAsync(Timeout);
    }

    [Fact]
    public void A_version_of_another_epoch_does_not_acknowledge_a_write()
    {
        using var waiter = _acks.Expect(Grain, Version(3, epoch: 1), required: 1);

        // The region holds the next owner's lineage: whether it continued from version 3 is not known here.
        Ack("eu-west", Grain, Version(1, epoch: 2));

        Assert.False(waiter.WaitAsync(Timeout).IsCompleted);
        Assert.Empty(waiter.Counted);
    }
}
