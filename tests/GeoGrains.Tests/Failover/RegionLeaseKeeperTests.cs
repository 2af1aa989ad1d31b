using GeoGrains.Configuration;
using GeoGrains.Runtime.Failover;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Failover;

/// <summary>us-east's observer confirming the other regions' leases and counting its own, on a manual clock.</summary>
public sealed class RegionLeaseKeeperTests
{
    private readonly HealthObserverHarness _observer = new();

    private RegionLeaseKeeper Leases => _observer.Leases;

    [Fact]
    public async Task A_silo_of_a_region_held_away_gets_no_confirmation_and_learns_the_configuration_instead()
    {
        var taken = _observer.Taken(EuWest, planned: false);
        await _observer.Host.LearnAsync(taken);

        var refused = Leases.Confirm(new LeaseRequest(EuWest, Generation: 0));
        var granted = Leases.Confirm(new LeaseRequest(ApacEast, taken.Generation));

        Assert.False(refused.Granted);
        Assert.Equal(taken, refused.Configuration);
        Assert.True(granted.Granted);
        Assert.Null(granted.Configuration);
    }

    [Fact]
    public void A_region_does_not_confirm_its_own_lease_to_its_silos_they_take_its_vote_from_the_status()
    {
        Assert.False(Leases.Confirm(new LeaseRequest(UsEast, Generation: 0)).Granted);
        Assert.True(Leases.SelfGrants);
    }

    [Fact]
    public void A_silo_of_a_region_outside_the_topology_is_refused()
    {
        Assert.Throws<UnknownRegionException>(() => Leases.Confirm(new LeaseRequest(SaEast, Generation: 0)));
    }

    [Fact]
    public async Task Having_confirmed_a_regions_lease_the_acceptor_refuses_to_take_it_over_for_a_lease_period()
    {
        var period = _observer.Failover.LeasePeriod;
        var second = TimeSpan.FromSeconds(1);
        _observer.Time.Advance(period);
        Leases.Confirm(new LeaseRequest(EuWest, Generation: 0));
        _observer.Time.Advance(second);
        var takeover = _observer.Taken(EuWest, planned: false);

        var refused = await _observer.Host.AcceptAsync(new Ballot(1, "apac-east"), takeover);
        _observer.Time.Advance(period - second);
        var accepted = await _observer.Host.AcceptAsync(new Ballot(2, "apac-east"), takeover);

        Assert.False(refused.Accepted);
        Assert.Equal(period - second, refused.RetryAfter);
        Assert.True(accepted.Accepted);
    }

    [Fact]
    public void Right_after_it_starts_the_acceptor_waits_a_lease_period_before_any_takeover_and_never_takes_its_own_region()
    {
        // It may have confirmed leases in an earlier activation: their record was in memory.
        Assert.Equal(_observer.Failover.LeasePeriod, Leases.WaitBeforeTakeover(EuWest));
        _observer.Time.Advance(_observer.Failover.LeasePeriod);

        Assert.Equal(TimeSpan.Zero, Leases.WaitBeforeTakeover(EuWest));
        Assert.Equal(_observer.Failover.LeasePeriod, Leases.WaitBeforeTakeover(UsEast));
    }

    [Fact]
    public void A_confirmation_counts_only_once_this_region_has_learned_the_generation_the_granter_accepted()
    {
        var sentAt = _observer.Clock.Now;

        // eu-west accepted generation 1, which this region has not learned: its grant waits.
        Leases.ProbeAnswered(EuWest, sentAt, new HealthProbeReply(_observer.Report(EuWest), LeaseGranted: true, Generation: 0, Configuration: null, FenceGeneration: 1));
        Assert.Null(Leases.Left());

        Leases.ProbeAnswered(ApacEast, sentAt, new HealthProbeReply(_observer.Report(ApacEast), LeaseGranted: true, Generation: 0, Configuration: null, FenceGeneration: 0));
        Assert.Equal(_observer.HolderPeriod, Leases.Left());
    }

    [Fact]
    public void A_refusal_withdraws_the_granters_last_confirmation()
    {
        Leases.ProbeAnswered(EuWest, _observer.Clock.Now, new HealthProbeReply(_observer.Report(EuWest), LeaseGranted: true, Generation: 0, Configuration: null, FenceGeneration: 0));
        Assert.NotNull(Leases.Left());

        Leases.ProbeAnswered(EuWest, _observer.Clock.Now, new HealthProbeReply(_observer.Report(EuWest), LeaseGranted: false, Generation: 0, Configuration: null, FenceGeneration: 0));

        Assert.Null(Leases.Left());
    }

    [Fact]
    public void The_timeline_tells_when_this_regions_lease_lapses_and_when_it_is_regained()
    {
        Leases.Check();
        Assert.Empty(_observer.Changes(UsEast));

        _observer.Answers(ApacEast);
        _observer.Rounds(1);
        _observer.Links.Cut(ApacEast);
        _observer.Time.Advance(_observer.HolderPeriod);
        Leases.Check();

        Assert.Equal([RegionHealthChange.LeaseRegained, RegionHealthChange.LeaseLapsed], _observer.Changes(UsEast));
    }

    [Fact]
    public void Without_automatic_failover_the_lease_always_holds_and_the_timeline_says_nothing_of_it()
    {
        var manual = new HealthObserverHarness(new FailoverOptions { Automatic = false });

        manual.Rounds(3);

        Assert.Equal(TimeSpan.MaxValue, manual.Leases.Left());
        Assert.Empty(manual.Changes(UsEast));
    }
}
