using GeoGrains.Configuration;
using GeoGrains.Runtime.Failover;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Failover;

/// <summary>us-east's probes of the other regions and its answers to theirs, on a manual clock, without a cluster.</summary>
public sealed class RegionHealthProberTests
{
    private readonly HealthObserverHarness _observer = new(health: new RegionHealthOptions { FailuresToSuspect = 3, StartupGrace = TimeSpan.Zero });

    [Fact]
    public void A_region_that_fails_three_probes_in_a_row_is_suspected_and_calls_to_it_wait()
    {
        _observer.Answers(ApacEast);

        _observer.Rounds(2);

        Assert.False(_observer.Prober.View().Suspects(EuWest));
        Assert.Empty(_observer.Prober.Unavailable());

        _observer.Rounds(1);

        Assert.True(_observer.Prober.View().Suspects(EuWest));
        Assert.Equal([EuWest], _observer.Prober.Unavailable());
        Assert.Equal([RegionHealthChange.Suspected], _observer.Changes(EuWest));
        // One vote of three declares nothing: apac-east does not suspect eu-west.
        Assert.False(_observer.Prober.View().HoldsDown(EuWest));
        Assert.Equal(0, _observer.DeclaredDown);
    }

    [Fact]
    public void A_suspicion_another_region_shares_declares_the_region_down_and_asks_for_its_takeover_at_once()
    {
        _observer.Answers(ApacEast, suspects: EuWest);

        _observer.Rounds(3);

        Assert.True(_observer.Prober.View().HoldsDown(EuWest));
        Assert.Equal([RegionHealthChange.Suspected, RegionHealthChange.DeclaredDown], _observer.Changes(EuWest));
        Assert.Equal(1, _observer.DeclaredDown);
    }

    [Fact]
    public void One_answered_probe_clears_the_suspicion_and_the_region_is_heard_from_that_probe_on()
    {
        _observer.Answers(ApacEast);
        _observer.Rounds(3);
        Assert.False(_observer.Prober.HeardSince(EuWest, out _));

        _observer.Answers(EuWest);
        var sent = _observer.Clock.Now;
        _observer.Rounds(2);

        Assert.False(_observer.Prober.View().Suspects(EuWest));
        Assert.Equal([RegionHealthChange.Suspected, RegionHealthChange.Cleared], _observer.Changes(EuWest));
        Assert.True(_observer.Prober.HeardSince(EuWest, out var since));
        Assert.Equal(sent, since);

        // A failed probe breaks the run: the region is heard from its next answer on.
        _observer.Links.Cut(EuWest);
        _observer.Rounds(1);
        Assert.False(_observer.Prober.HeardSince(EuWest, out _));
    }

    [Fact]
    public void A_probe_answered_with_a_grant_confirms_this_regions_lease_from_when_the_probe_was_sent()
    {
        _observer.Answers(ApacEast);
        Assert.Null(_observer.Leases.Left());

        _observer.Prober.ProbeAll();

        Assert.Equal(_observer.HolderPeriod, _observer.Leases.Left());
        _observer.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(_observer.HolderPeriod - TimeSpan.FromSeconds(1), _observer.Leases.Left());
    }

    [Fact]
    public void A_configuration_a_probe_answer_carries_is_learned_before_the_answers_grant_counts()
    {
        // apac-east accepted and learned a drain this region missed: its grant counts once this region has learned it.
        var drained = _observer.Taken(EuWest, planned: true);
        _observer.Links.Answer(ApacEast, new HealthProbeReply(_observer.Report(ApacEast), LeaseGranted: true, drained.Generation, drained, drained.Generation));

        // The acceptor's table answers at once: the probe's answer is applied before ProbeAll returns.
        _observer.Prober.ProbeAll();

        Assert.Equal(drained, _observer.Acceptor.Learned);
        Assert.Equal([RegionHealthChange.OwnershipTransferred], _observer.Changes(EuWest));
        Assert.Equal(_observer.HolderPeriod, _observer.Leases.Left());
    }

    [Fact]
    public async Task A_probe_from_a_region_held_away_is_answered_without_a_lease_but_with_the_configuration()
    {
        var drained = _observer.Taken(EuWest, planned: true);
        await _observer.Host.LearnAsync(drained);

        var refused = await _observer.Prober.ExchangeAsync(new HealthProbe(_observer.Report(EuWest), Generation: 0, Configuration: null));
        var granted = await _observer.Prober.ExchangeAsync(new HealthProbe(_observer.Report(ApacEast), drained.Generation, Configuration: null));

        Assert.False(refused.LeaseGranted);
        Assert.Equal(drained, refused.Configuration);
        Assert.Equal(drained.Generation, refused.FenceGeneration);
        Assert.True(granted.LeaseGranted);
        Assert.Null(granted.Configuration);
    }

    [Fact]
    public async Task A_probe_takes_in_the_probers_suspicions()
    {
        _observer.Answers(ApacEast);
        _observer.Rounds(3);

        await _observer.Prober.ExchangeAsync(new HealthProbe(_observer.Report(ApacEast, suspects: EuWest), Generation: 0, Configuration: null));

        Assert.True(_observer.Prober.View().HoldsDown(EuWest));
        Assert.Equal(1, _observer.DeclaredDown);
    }

    [Fact]
    public async Task A_probe_from_a_region_outside_the_topology_is_refused()
    {
        await Assert.ThrowsAsync<UnknownRegionException>(() => _observer.Prober.ExchangeAsync(new HealthProbe(_observer.Report(SaEast), 0, null)));
    }
}
