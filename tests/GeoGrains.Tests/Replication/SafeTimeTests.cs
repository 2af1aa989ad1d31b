using GeoGrains.Runtime.Storage;
using System.Text;
using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Replication;
using Orleans.Runtime;

namespace GeoGrains.Tests.Replication;

/// <summary>The sender's side of safe times: what a silo still owes a region, and its commits in progress.</summary>
public sealed class SafeTimeTests
{
    private static readonly GrainId Ada = GrainId.Create("profile", "us-east/ada");
    private static readonly GrainId Bob = GrainId.Create("profile", "us-east/bob");

    private static GeoRecord Version(long v, long at) => new(v, 1, new HybridTimestamp(at, 0), "us-east", Encoding.UTF8.GetBytes("{}"));

    [Fact]
    public void The_oldest_unacknowledged_change_is_the_minimum_over_grains_and_leaves_with_its_acknowledgement()
    {
        var owed = new UnacknowledgedChanges();
        Assert.Null(owed.Oldest);

        owed.Queued(Ada, Version(1, at: 200));
        owed.Queued(Bob, Version(1, at: 100));
        Assert.Equal(new HybridTimestamp(100, 0), owed.Oldest);

        owed.Taken(Bob);
        owed.Acknowledged(Bob, Version(1, at: 100));
        Assert.Equal(new HybridTimestamp(200, 0), owed.Oldest);

        owed.Taken(Ada);
        owed.Acknowledged(Ada, Version(1, at: 200));
        Assert.Null(owed.Oldest);
        Assert.Equal(0, owed.Count);
    }

    [Fact]
    public void A_version_replaced_in_the_queue_is_owed_until_the_version_that_replaced_it_is_acknowledged()
    {
        var owed = new UnacknowledgedChanges();
        owed.Queued(Ada, Version(1, at: 100));
        owed.Taken(Ada); // version 1 in flight
        owed.Queued(Ada, Version(2, at: 200));
        owed.Queued(Ada, Version(3, at: 300)); // replaces 2 before it left: the target gets 2's change only with 3

        owed.Acknowledged(Ada, Version(1, at: 100));
        Assert.Equal(new HybridTimestamp(200, 0), owed.Oldest);

        owed.Taken(Ada);
        owed.Acknowledged(Ada, Version(3, at: 300));
        Assert.Null(owed.Oldest);
    }

    [Fact]
    public void A_failed_batch_queued_again_adds_nothing_and_one_acknowledgement_settles_it()
    {
        var owed = new UnacknowledgedChanges();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            owed.Queued(Ada, Version(1, at: 100));
            owed.Taken(Ada);
        }

        Assert.Equal(new HybridTimestamp(100, 0), owed.Oldest);
        owed.Acknowledged(Ada, Version(1, at: 100));
        Assert.Null(owed.Oldest);
    }

    [Fact]
    public void An_acknowledgement_of_an_older_version_keeps_the_newer_one_owed()
    {
        var owed = new UnacknowledgedChanges();
        owed.Queued(Ada, Version(1, at: 100));
        owed.Taken(Ada);
        owed.Queued(Ada, Version(2, at: 200));
        owed.Taken(Ada);

        owed.Acknowledged(Ada, Version(1, at: 100));

        Assert.Equal(new HybridTimestamp(200, 0), owed.Oldest);
    }

    [Fact]
    public void The_floor_stays_below_every_commit_in_progress_and_follows_the_clock_when_there_is_none()
    {
        var clock = new HybridLogicalClock();
        var commits = new CommitsInProgress(clock);

        var idle = commits.Floor();
        var first = commits.Begin();
        var second = commits.Begin();
        Assert.True(first.At > idle);

        var floor = commits.Floor();
        Assert.True(floor < first.At, $"floor {floor} is not before the commit in progress at {first.At}");
        Assert.Equal(2, commits.Count);

        first.Dispose();
        floor = commits.Floor();
        Assert.True(floor >= first.At && floor < second.At, $"floor {floor} should lie between {first.At} and {second.At}");

        second.Dispose();
        Assert.True(commits.Floor() > second.At);
        Assert.Equal(0, commits.Count);
    }

    [Fact]
    public void A_commit_left_in_doubt_holds_the_floor_until_it_is_settled()
    {
        var commits = new CommitsInProgress(new HybridLogicalClock());
        var commit = commits.Begin();

        var settle = commit.KeepUntilSettled();
        commit.Dispose();
        Assert.True(commits.Floor() < commit.At);

        settle();
        Assert.True(commits.Floor() > commit.At);
    }

    [Fact]
    public void Before_is_the_latest_reading_ordered_before()
    {
        Assert.Equal(new HybridTimestamp(10, 2), new HybridTimestamp(10, 3).Before());
        Assert.Equal(new HybridTimestamp(9, int.MaxValue), new HybridTimestamp(10, 0).Before());
    }
}
