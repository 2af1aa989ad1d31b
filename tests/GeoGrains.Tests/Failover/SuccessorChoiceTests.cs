using GeoGrains.Configuration;
using GeoGrains.Runtime.Failover;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Failover;

/// <summary>Which survivors take over a failed region's buckets: the freshest copy first, within each region's capacity.</summary>
public sealed class SuccessorChoiceTests
{
    private const int Buckets = 8;

    private static readonly RegionId[] Three = [UsEast, EuWest, ApacEast];
    private static readonly RegionId[] Four = [.. Three, SaEast];
    private static readonly DateTimeOffset At = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static double Default(RegionId region) => FailoverOptions.DefaultCapacity;

    private static HybridTimestamp SafeTime(long milliseconds) => new(milliseconds, 0);

    private static Dictionary<RegionId, int> Count(IEnumerable<RegionId> successors) =>
        successors.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void The_freshest_survivor_takes_buckets_up_to_its_capacity_and_the_next_takes_the_rest()
    {
        var candidates = new Dictionary<RegionId, HybridTimestamp?> { [ApacEast] = SafeTime(900), [EuWest] = SafeTime(1000) };

        var successors = SuccessorChoice.Choose(UsEast, RegionConfiguration.Initial, candidates, Three, Buckets, Default);

        // Capacity 1.5 over a normal load of 1.0 leaves room for half of a region's load: half of its buckets.
        Assert.Equal(Buckets, successors.Length);
        Assert.Equal([EuWest, EuWest, EuWest, EuWest, ApacEast, ApacEast, ApacEast, ApacEast], successors.ToArray());
    }

    [Fact]
    public void A_survivor_without_a_copy_of_the_failed_regions_data_comes_after_those_with_one()
    {
        var candidates = new Dictionary<RegionId, HybridTimestamp?> { [EuWest] = null, [ApacEast] = SafeTime(5) };

        var successors = SuccessorChoice.Choose(UsEast, RegionConfiguration.Initial, candidates, Three, Buckets, Default);

        Assert.Equal(ApacEast, successors[0]);
        Assert.Equal(4, Count(successors)[ApacEast]);
    }

    [Fact]
    public void When_no_survivor_has_room_left_the_buckets_go_where_most_room_is_left_spreading_them_evenly()
    {
        var candidates = new Dictionary<RegionId, HybridTimestamp?> { [EuWest] = SafeTime(1000), [ApacEast] = SafeTime(900) };

        var successors = SuccessorChoice.Choose(UsEast, RegionConfiguration.Initial, candidates, Three, Buckets, _ => 1.0);

        Assert.Equal(new Dictionary<RegionId, int> { [EuWest] = 4, [ApacEast] = 4 }, Count(successors));
        Assert.Equal(EuWest, successors[0]);
    }

    [Fact]
    public void A_survivor_with_a_much_larger_capacity_takes_everything()
    {
        var candidates = new Dictionary<RegionId, HybridTimestamp?> { [EuWest] = SafeTime(1000), [ApacEast] = SafeTime(900) };

        var successors = SuccessorChoice.Choose(UsEast, RegionConfiguration.Initial, candidates, Three, Buckets, r => r == EuWest ? 100 : 1.5);

        Assert.All(successors, s => Assert.Equal(EuWest, s));
    }

    [Fact]
    public void A_larger_capacity_does_not_outrank_a_fresher_copy_while_that_survivor_has_room()
    {
        var candidates = new Dictionary<RegionId, HybridTimestamp?> { [EuWest] = SafeTime(1000), [ApacEast] = SafeTime(900) };

        var successors = SuccessorChoice.Choose(UsEast, RegionConfiguration.Initial, candidates, Three, Buckets, r => r == ApacEast ? 100 : 1.5);

        Assert.Equal([EuWest, EuWest, EuWest, EuWest, ApacEast, ApacEast, ApacEast, ApacEast], successors.ToArray());
    }

    [Fact]
    public void Neither_the_failed_region_nor_a_region_already_away_is_chosen_however_fresh()
    {
        var current = RegionConfiguration.Initial.With(SaEast, TenureState.Away, [EuWest, ApacEast], At);
        var candidates = new Dictionary<RegionId, HybridTimestamp?>
        {
            [UsEast] = SafeTime(5000),
            [SaEast] = SafeTime(4000),
            [EuWest] = SafeTime(1000),
            [ApacEast] = SafeTime(900),
        };

        var successors = SuccessorChoice.Choose(UsEast, current, candidates, Four, Buckets, _ => 100);

        Assert.DoesNotContain(UsEast, successors);
        Assert.DoesNotContain(SaEast, successors);
        Assert.All(successors, s => Assert.Equal(EuWest, s));
    }

    [Fact]
    public void The_residency_hook_keeps_a_region_from_taking_over_the_failed_regions_data()
    {
        var candidates = new Dictionary<RegionId, HybridTimestamp?> { [EuWest] = SafeTime(1000), [ApacEast] = SafeTime(900) };
        var asked = new List<(RegionId Failed, RegionId Candidate)>();

        var successors = SuccessorChoice.Choose(UsEast, RegionConfiguration.Initial, candidates, Three, Buckets, Default,
            (failed, candidate) =>
            {
                asked.Add((failed, candidate));
                return candidate != EuWest;
            });

        Assert.All(successors, s => Assert.Equal(ApacEast, s));
        Assert.Contains((UsEast, EuWest), asked);
    }

    [Fact]
    public void Without_an_eligible_survivor_the_choice_fails_naming_the_failed_region()
    {
        var current = RegionConfiguration.Initial.With(ApacEast, TenureState.Away, [EuWest], At);
        var candidates = new Dictionary<RegionId, HybridTimestamp?> { [UsEast] = SafeTime(1), [ApacEast] = SafeTime(1), [EuWest] = SafeTime(1) };

        var error = Assert.Throws<InvalidOperationException>(() =>
            SuccessorChoice.Choose(UsEast, current, candidates, Three, Buckets, Default, (_, candidate) => candidate != EuWest));

        Assert.Contains("'us-east'", error.Message);
        Assert.Throws<InvalidOperationException>(() =>
            SuccessorChoice.Choose(UsEast, RegionConfiguration.Initial, new Dictionary<RegionId, HybridTimestamp?>(), Three, Buckets, Default));
    }

    [Fact]
    public void Loads_pass_an_away_regions_load_on_to_its_successors_along_chains()
    {
        var first = RegionConfiguration.Initial.With(UsEast, TenureState.Away, [EuWest, EuWest, EuWest, EuWest, ApacEast, ApacEast, ApacEast, ApacEast], At);
        var second = first.With(EuWest, TenureState.Away, [.. Enumerable.Repeat(SaEast, Buckets)], At);

        Assert.Equal(new Dictionary<RegionId, double> { [UsEast] = 1, [EuWest] = 1, [ApacEast] = 1, [SaEast] = 1 }, SuccessorChoice.Loads(RegionConfiguration.Initial, Four));
        Assert.Equal(new Dictionary<RegionId, double> { [UsEast] = 0, [EuWest] = 1.5, [ApacEast] = 1.5, [SaEast] = 1 }, SuccessorChoice.Loads(first, Four));
        Assert.Equal(new Dictionary<RegionId, double> { [UsEast] = 0, [EuWest] = 0, [ApacEast] = 1.5, [SaEast] = 2.5 }, SuccessorChoice.Loads(second, Four));
    }

    [Fact]
    public void A_second_failure_hands_on_the_load_its_region_inherited_and_spares_a_survivor_already_full()
    {
        var freshness = new Dictionary<RegionId, HybridTimestamp?> { [EuWest] = SafeTime(1000), [ApacEast] = SafeTime(900), [SaEast] = SafeTime(800) };
        var first = RegionConfiguration.Initial.With(UsEast, TenureState.Away,
            SuccessorChoice.Choose(UsEast, RegionConfiguration.Initial, freshness, Four, Buckets, Default), At);
        Assert.Equal(new Dictionary<RegionId, int> { [EuWest] = 4, [ApacEast] = 4 }, Count(first.Tenures[UsEast].Successors));

        // eu-west fails carrying 1.5 normal loads: apac-east, though fresher, is at its capacity already; sa-east has room.
        var candidates = new Dictionary<RegionId, HybridTimestamp?> { [ApacEast] = SafeTime(1000), [SaEast] = SafeTime(900) };
        var successors = SuccessorChoice.Choose(EuWest, first, candidates, Four, Buckets, Default);
        var second = first.With(EuWest, TenureState.Away, successors, At);
        var loads = SuccessorChoice.Loads(second, Four);

        Assert.Equal(SaEast, successors[0]);
        Assert.Equal(4.0, loads.Values.Sum(), 9);
        Assert.Equal(0, loads[EuWest]);
        Assert.True(loads[SaEast] > 1.5, "sa-east takes more than the room it had: no one had room for all of eu-west's load");
        Assert.True(Math.Abs(loads[SaEast] - loads[ApacEast]) <= 1.5 / Buckets + 1e-9, $"the overload is spread: {loads[SaEast]} vs {loads[ApacEast]}");
    }
}
