using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Storage;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Failover;

/// <summary>One region's acceptor of the ownership agreement, on an in-memory table: what it promises, accepts and keeps.</summary>
public sealed class OwnershipAcceptorTests
{
    private static readonly DateTimeOffset At = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly RegionConfiguration UsEastAway = RegionConfiguration.Initial.With(UsEast, TenureState.Away, [EuWest, ApacEast], At);

    private readonly RegionStorageAccount _account = new(EuWest);

    private static TimeSpan NoWait(RegionId region) => TimeSpan.Zero;

    private static Ballot B(long round, string proposer = "us-east") => new(round, proposer);

    private OwnershipAcceptor NewAcceptor() => new(new MemoryRegionTable(_account, new RegionStorageMetrics()), FailoverTestSerializer.Instance);

    private async Task<OwnershipAcceptor> LoadedAcceptorAsync()
    {
        var acceptor = NewAcceptor();
        await acceptor.LoadAsync();
        return acceptor;
    }

    [Fact]
    public async Task A_prepare_is_promised_only_for_a_ballot_above_every_one_promised_before()
    {
        var acceptor = await LoadedAcceptorAsync();

        var first = await acceptor.PrepareAsync(B(2));
        var same = await acceptor.PrepareAsync(B(2));
        var lower = await acceptor.PrepareAsync(B(1, "zz-region"));
        var higher = await acceptor.PrepareAsync(B(2, "zz-region"));

        Assert.True(first.Promised);
        Assert.Equal(EuWest, first.Acceptor);
        Assert.False(same.Promised);
        Assert.False(lower.Promised);
        Assert.Equal(B(2), lower.Highest);
        Assert.True(higher.Promised);
        Assert.Equal(B(2, "zz-region"), higher.Highest);
    }

    [Fact]
    public async Task A_prepare_returns_the_value_accepted_last_with_its_ballot()
    {
        var acceptor = await LoadedAcceptorAsync();
        var nothing = await acceptor.PrepareAsync(B(1));
        Assert.Equal(Ballot.None, nothing.Accepted);
        Assert.Equal(0, nothing.Value.Generation);

        Assert.True((await acceptor.AcceptAsync(B(1), UsEastAway, NoWait)).Accepted);
        var reply = await acceptor.PrepareAsync(B(3, "apac-east"));

        Assert.True(reply.Promised);
        Assert.Equal(B(1), reply.Accepted);
        Assert.Equal(UsEastAway.ToString(), reply.Value.ToString());
    }

    [Fact]
    public async Task An_accept_below_the_promised_ballot_is_refused_naming_the_promise()
    {
        var acceptor = await LoadedAcceptorAsync();
        await acceptor.PrepareAsync(B(5, "apac-east"));

        var refused = await acceptor.AcceptAsync(B(4), UsEastAway, NoWait);

        Assert.False(refused.Accepted);
        Assert.Equal(B(5, "apac-east"), refused.Highest);
        Assert.Equal(TimeSpan.Zero, refused.RetryAfter);
        Assert.Contains("5.apac-east", refused.Reason);
        Assert.Equal(Ballot.None, (await acceptor.PrepareAsync(B(6))).Accepted);

        var accepted = await acceptor.AcceptAsync(B(6), UsEastAway, NoWait);
        Assert.True(accepted.Accepted);
    }

    [Fact]
    public async Task An_accept_at_the_promised_ballot_or_above_is_accepted_without_a_prepare_of_it()
    {
        var acceptor = await LoadedAcceptorAsync();
        await acceptor.PrepareAsync(B(5));

        Assert.True((await acceptor.AcceptAsync(B(5), UsEastAway, NoWait)).Accepted);
        Assert.True((await acceptor.AcceptAsync(B(7), UsEastAway.With(ApacEast, TenureState.Owning, [], At), NoWait)).Accepted);
        Assert.False((await acceptor.PrepareAsync(B(6))).Promised);
    }

    [Fact]
    public async Task A_value_taking_a_region_away_is_refused_while_its_lease_may_hold_and_accepted_once_it_cannot()
    {
        var acceptor = await LoadedAcceptorAsync();
        var wait = TimeSpan.FromSeconds(2);
        var asked = new List<RegionId>();

        var refused = await acceptor.AcceptAsync(B(1), UsEastAway, region =>
        {
            asked.Add(region);
            return region == UsEast ? wait : TimeSpan.Zero;
        });

        Assert.False(refused.Accepted);
        Assert.Equal(wait, refused.RetryAfter);
        Assert.Contains("'eu-west'", refused.Reason);
        Assert.Contains("'us-east'", refused.Reason);
        Assert.Equal([UsEast], asked);
        Assert.False(acceptor.HoldsAway(UsEast));
        Assert.Equal(Ballot.None, (await acceptor.PrepareAsync(B(2))).Accepted);

        var accepted = await acceptor.AcceptAsync(B(2), UsEastAway, NoWait);

        Assert.True(accepted.Accepted);
        Assert.True(acceptor.HoldsAway(UsEast));
    }

    [Fact]
    public async Task A_planned_drain_is_accepted_at_once_and_fences_leases_from_then_on()
    {
        var acceptor = await LoadedAcceptorAsync();
        var drained = RegionConfiguration.Initial.With(UsEast, TenureState.Away, [EuWest, ApacEast], At, planned: true);
        Assert.Equal(0, acceptor.FenceGeneration);

        // The new owners wait a lease period after they learn it instead, so the acceptor does not ask about the lease.
        var accepted = await acceptor.AcceptAsync(B(1), drained, _ => TimeSpan.FromSeconds(5));

        Assert.True(accepted.Accepted);
        Assert.True(acceptor.HoldsAway(UsEast));
        Assert.Equal(1, acceptor.FenceGeneration);
        Assert.Equal(0, acceptor.Learned.Generation);
    }

    [Fact]
    public async Task A_region_already_away_does_not_wait_for_its_lease_again()
    {
        var acceptor = await LoadedAcceptorAsync();
        await acceptor.AcceptAsync(B(1), UsEastAway, NoWait);

        // The next change (apac-east returns a grain of its own) keeps us-east away: no lease of us-east's is at stake.
        var next = UsEastAway.With(ApacEast, TenureState.Owning, [], At);
        var reply = await acceptor.AcceptAsync(B(2), next, region => region == UsEast ? TimeSpan.FromSeconds(3) : TimeSpan.Zero);

        Assert.True(reply.Accepted);
    }

    [Fact]
    public async Task Promise_and_accepted_value_survive_a_new_acceptor_over_the_same_table()
    {
        var first = await LoadedAcceptorAsync();
        await first.AcceptAsync(B(3), UsEastAway, NoWait);
        await first.PrepareAsync(B(4));
        await first.LearnAsync(UsEastAway);

        var restarted = await LoadedAcceptorAsync();

        Assert.False((await restarted.PrepareAsync(B(4))).Promised);
        Assert.False((await restarted.AcceptAsync(B(3), RegionConfiguration.Initial, NoWait)).Accepted);
        var reply = await restarted.PrepareAsync(B(5));
        Assert.True(reply.Promised);
        Assert.Equal(B(3), reply.Accepted);
        Assert.Equal(UsEastAway.ToString(), reply.Value.ToString());
        Assert.Equal(1, restarted.Learned.Generation);
        Assert.True(restarted.HoldsAway(UsEast));
    }

    [Fact]
    public async Task An_acceptor_that_missed_another_activations_promise_refuses_rather_than_overwrite_it()
    {
        var stale = await LoadedAcceptorAsync();
        var other = await LoadedAcceptorAsync();
        Assert.True((await other.PrepareAsync(B(5))).Promised);

        var reply = await stale.PrepareAsync(B(3));

        Assert.False(reply.Promised);
        Assert.Equal(B(5), reply.Highest);
        Assert.False((await stale.AcceptAsync(B(4), UsEastAway, NoWait)).Accepted);
        Assert.False((await NewAcceptorLoadedPrepare(B(5))).Promised);
    }

    [Fact]
    public async Task An_acceptor_whose_table_is_unreachable_fails_rather_than_promise()
    {
        var acceptor = await LoadedAcceptorAsync();
        _account.IsAvailable = false;

        await Assert.ThrowsAsync<RegionStorageException>(() => acceptor.PrepareAsync(B(1)));

        _account.IsAvailable = true;
        Assert.True((await acceptor.PrepareAsync(B(1))).Promised);
    }

    [Fact]
    public async Task Learning_keeps_only_newer_generations()
    {
        var acceptor = await LoadedAcceptorAsync();
        var second = UsEastAway.With(UsEast, TenureState.Owning, [], At);

        Assert.True(await acceptor.LearnAsync(second));
        Assert.False(await acceptor.LearnAsync(UsEastAway));
        Assert.False(await acceptor.LearnAsync(second));

        Assert.Equal(2, acceptor.Learned.Generation);
        Assert.False(acceptor.Learned.IsAway(UsEast));
        Assert.Equal(2, (await LoadedAcceptorAsync()).Learned.Generation);
    }

    [Fact]
    public async Task A_region_is_held_away_once_learned_or_accepted_in_a_value_newer_than_the_one_learned()
    {
        var learner = await LoadedAcceptorAsync();
        Assert.False(learner.HoldsAway(UsEast));
        await learner.LearnAsync(UsEastAway);
        Assert.True(learner.HoldsAway(UsEast));
        Assert.False(learner.HoldsAway(EuWest));

        var otherAccount = new RegionStorageAccount(ApacEast);
        var acceptor = new OwnershipAcceptor(new MemoryRegionTable(otherAccount, new RegionStorageMetrics()), FailoverTestSerializer.Instance);
        await acceptor.LoadAsync();
        await acceptor.AcceptAsync(B(1), UsEastAway, NoWait);
        Assert.True(acceptor.HoldsAway(UsEast));

        // Once a newer value in which us-east returned is learned, the older accepted value no longer holds it away.
        await acceptor.LearnAsync(UsEastAway.With(UsEast, TenureState.Owning, [], At));
        Assert.False(acceptor.HoldsAway(UsEast));
    }

    private async Task<PrepareReply> NewAcceptorLoadedPrepare(Ballot ballot) => await (await LoadedAcceptorAsync()).PrepareAsync(ballot);
}
