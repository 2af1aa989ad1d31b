using GeoGrains.Configuration;
using GeoGrains.Runtime.Failover;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Failover;

/// <summary>
/// us-east's observer proposing takeovers, failbacks, drains and restores to the three regions' in-memory acceptors, on a
/// manual clock. In topology order apac-east comes first, so us-east is the first proposer only where apac-east cannot be.
/// </summary>
public sealed class OwnershipProposerTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly HealthObserverHarness _observer = new(
        new FailoverOptions { FailbackAfter = TimeSpan.FromSeconds(30) },
        new RegionHealthOptions { FailuresToSuspect = 3, StartupGrace = TimeSpan.Zero });

    private OwnershipProposer Proposer => _observer.Proposer;

    [Fact]
    public async Task Draining_a_region_hands_its_grains_to_the_others_by_a_planned_switchover_and_restoring_gives_them_back()
    {
        await Proposer.ChangeTenureAsync(EuWest, away: true);

        var drained = _observer.Acceptor.Learned.Tenures[EuWest];
        Assert.Equal(TenureState.Away, drained.State);
        Assert.True(drained.Planned);
        Assert.DoesNotContain(EuWest, drained.Successors);

        await Proposer.ChangeTenureAsync(EuWest, away: false);

        Assert.False(_observer.Acceptor.Learned.IsAway(EuWest));
        Assert.True(_observer.Acceptor.Learned.Tenures[EuWest].Planned);
    }

    [Fact]
    public async Task The_last_region_that_owns_grains_cannot_be_drained()
    {
        await Proposer.ChangeTenureAsync(EuWest, away: true);
        await Proposer.ChangeTenureAsync(ApacEast, away: true);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Proposer.ChangeTenureAsync(UsEast, away: true));
    }

    [Fact]
    public async Task A_region_that_does_not_answer_probes_cannot_be_given_its_grains_back()
    {
        await Proposer.ChangeTenureAsync(EuWest, away: true);
        _observer.Answers(ApacEast);
        _observer.Rounds(3);

        await Assert.ThrowsAsync<RegionUnreachableException>(() => Proposer.ChangeTenureAsync(EuWest, away: false));
        Assert.True(_observer.Acceptor.Learned.IsAway(EuWest));
    }

    [Fact]
    public async Task Without_automatic_failover_no_region_can_be_drained()
    {
        var manual = new HealthObserverHarness(new FailoverOptions { Automatic = false });

        await Assert.ThrowsAsync<InvalidOperationException>(() => manual.Proposer.ChangeTenureAsync(EuWest, away: true));
        await Assert.ThrowsAsync<UnknownRegionException>(() => manual.Proposer.ChangeTenureAsync(SaEast, away: true));
    }

    [Fact]
    public async Task A_region_declared_down_is_taken_over_by_the_first_region_not_suspected_and_by_the_others_three_intervals_later()
    {
        var since = DeclareEuWestDown();

        // apac-east, first in topology order, proposes.
        Proposer.ProposeTakeovers();
        AdvanceTo(since + 3 * _observer.Health.ProbeInterval);

        var chosen = await ChosenOnlyOneTickLaterAsync(Proposer.ProposeTakeovers);
        var tenure = chosen.Tenures[EuWest];
        Assert.Equal(TenureState.Away, tenure.State);
        Assert.False(tenure.Planned);
        Assert.DoesNotContain(EuWest, tenure.Successors);
        Assert.Equal(chosen, _observer.Acceptor.Learned);
    }

    [Fact]
    public void A_region_whose_silos_asked_for_a_lease_since_it_was_declared_down_is_not_taken_over()
    {
        var since = DeclareEuWestDown();
        AdvanceTo(since + 3 * _observer.Health.ProbeInterval + Tick);

        // Its observer does not answer, but its silos do: it is alive, and the acceptors would refuse.
        _observer.Leases.Confirm(new LeaseRequest(EuWest, Generation: 0));
        Proposer.ProposeTakeovers();

        Assert.Equal(0, _observer.Agreement.Prepares);
    }

    [Fact]
    public async Task A_region_taken_over_gets_its_grains_back_once_heard_without_a_break_for_the_failback_period()
    {
        await _observer.DecideAsync(c => _observer.Taken(EuWest, planned: false));
        // apac-east does not answer, so us-east is the first region not suspected and not away: it proposes the failback.
        _observer.Answers(EuWest);
        _observer.Rounds(3);
        Assert.True(_observer.Prober.HeardSince(EuWest, out var heard));

        _observer.Time.Advance(heard + _observer.Failover.FailbackAfter!.Value - Tick - _observer.Clock.Now);

        var chosen = await ChosenOnlyOneTickLaterAsync(Proposer.ProposeTakeovers);
        Assert.False(chosen.IsAway(EuWest));
        Assert.True(chosen.Tenures[EuWest].Planned);
    }

    [Fact]
    public async Task A_value_accepted_but_never_learned_is_decided_by_this_region_after_two_probe_intervals()
    {
        // A proposer stopped after us-east accepted its drain: the value fences us-east's lease until it is decided.
        var accepted = await _observer.Host.AcceptAsync(new Ballot(1, "apac-east"), _observer.Taken(ApacEast, planned: true));
        Assert.True(accepted.Accepted);
        Assert.False(_observer.Leases.SelfGrants);

        Proposer.CompleteUndecided();
        _observer.Time.Advance(2 * _observer.Health.ProbeInterval - Tick);

        var chosen = await ChosenOnlyOneTickLaterAsync(Proposer.CompleteUndecided);
        Assert.True(chosen.IsAway(ApacEast));
        Assert.True(_observer.Leases.SelfGrants);
    }

    // eu-west fails three probes while apac-east answers and suspects it too: declared down; returns when (wall clock).
    private DateTimeOffset DeclareEuWestDown()
    {
        _observer.Answers(ApacEast, suspects: EuWest);
        _observer.Rounds(3);
        Assert.Equal(1, _observer.DeclaredDown);
        return Assert.Single(_observer.Prober.View().DeclaredDown).Since;
    }

    // Nothing is proposed yet; one tick later the proposal leaves, and it is chosen.
    private async Task<RegionConfiguration> ChosenOnlyOneTickLaterAsync(Action propose)
    {
        propose();
        Assert.Equal(0, _observer.Agreement.Prepares);

        _observer.Time.Advance(Tick);
        propose();
        return await _observer.Agreement.Chosen;
    }

    private void AdvanceTo(DateTimeOffset at) => _observer.Time.Advance(at - _observer.Time.GetUtcNow());
}
