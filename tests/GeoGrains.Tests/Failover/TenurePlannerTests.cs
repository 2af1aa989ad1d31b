using System.Collections.Immutable;
using GeoGrains.Runtime.Failover;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Failover;

/// <summary>The configurations us-east's observer proposes: takeovers, drains, restores, and undecided takeovers undone.</summary>
public sealed class TenurePlannerTests
{
    private readonly HealthObserverHarness _observer = new();

    [Fact]
    public void A_takeover_this_region_never_learned_of_a_region_not_held_down_becomes_a_planned_return()
    {
        var undecided = _observer.Taken(EuWest, planned: false);

        var settled = _observer.Planner.Settled(undecided);

        Assert.Equal(undecided.Generation + 1, settled.Generation);
        Assert.Equal(TenureState.Owning, settled.Tenures[EuWest].State);
        Assert.True(settled.Tenures[EuWest].Planned);
    }

    [Fact]
    public async Task A_takeover_this_region_learned_and_a_drain_are_kept_as_they_are()
    {
        var taken = _observer.Taken(EuWest, planned: false);
        await _observer.Host.LearnAsync(taken);
        var drained = _observer.Taken(ApacEast, planned: true);

        Assert.Same(taken, _observer.Planner.Settled(taken));
        Assert.Same(drained, _observer.Planner.Settled(drained));
    }

    [Fact]
    public void A_failed_regions_grains_go_first_to_the_region_with_the_freshest_copy_of_its_data()
    {
        var promises = new[] { Promise(UsEast, freshness: 100), Promise(ApacEast, freshness: 200), Promise(EuWest, freshness: 300) };

        var next = _observer.Planner.Away(RegionConfiguration.Initial, promises, EuWest);

        var tenure = Assert.IsType<RegionConfiguration>(next).Tenures[EuWest];
        Assert.Equal(TenureState.Away, tenure.State);
        Assert.False(tenure.Planned);
        Assert.Equal(HealthObserverHarness.PartitionsPerRegion, tenure.Successors.Length);
        Assert.Equal(ApacEast, tenure.Successors[0]);
        Assert.DoesNotContain(EuWest, tenure.Successors);
    }

    [Fact]
    public void A_drain_is_planned_a_region_away_already_is_not_drained_again_and_a_restore_gives_it_back()
    {
        var promises = new[] { Promise(UsEast, freshness: 100), Promise(ApacEast, freshness: 200) };

        var drained = Assert.IsType<RegionConfiguration>(_observer.Planner.Drain(RegionConfiguration.Initial, promises, EuWest));
        var restored = Assert.IsType<RegionConfiguration>(_observer.Planner.Restore(drained, EuWest));

        Assert.True(drained.Tenures[EuWest].Planned);
        Assert.True(drained.IsAway(EuWest));
        Assert.Null(_observer.Planner.Drain(drained, promises, EuWest));
        Assert.False(restored.IsAway(EuWest));
        Assert.True(restored.Tenures[EuWest].Planned);
        Assert.Null(_observer.Planner.Restore(restored, EuWest));
    }

    // A promise whose region's copy of every other region's data is as fresh as freshness (its safe time).
    private static PrepareReply Promise(RegionId acceptor, long freshness) => new(
        acceptor, true, Ballot.None, Ballot.None, RegionConfiguration.Initial,
        ImmutableDictionary<RegionId, HybridTimestamp>.Empty.Add(EuWest, new HybridTimestamp(freshness, 0)));
}
