using GeoGrains.Runtime.Failover;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Failover;

/// <summary>A silo's own lease (holder side), confirmed by the other regions' observers and its region's own vote.</summary>
public sealed class SiloLeaseTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Offset = TimeSpan.FromMilliseconds(250);

    private readonly ManualTimeProvider _time = new();

    private SiloLease Create() => new(UsEast, 3, Period, Offset, _time);

    [Fact]
    public void Two_other_regions_hold_the_lease_without_the_regions_own_vote_until_the_older_request_plus_the_period_less_the_offset()
    {
        var lease = Create();
        var first = lease.Now;
        lease.Answered(EuWest, first, granted: true, fenceGeneration: 0, knownGeneration: 0);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        lease.Answered(ApacEast, lease.Now, granted: true, fenceGeneration: 0, knownGeneration: 0);

        Assert.Equal(first + Period - Offset, lease.ValidUntil());
        _time.Advance(Period - Offset - TimeSpan.FromMilliseconds(500) - TimeSpan.FromTicks(1));
        Assert.True(lease.Holds);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(lease.Holds);
    }

    [Fact]
    public void One_other_region_alone_is_no_majority_and_the_regions_own_vote_completes_it()
    {
        var lease = Create();
        lease.Answered(EuWest, lease.Now, granted: true, fenceGeneration: 0, knownGeneration: 0);
        Assert.False(lease.Holds);

        var asked = lease.Now;
        lease.SelfAnswered(asked, grants: true);
        Assert.Equal(asked + Period - Offset, lease.ValidUntil());
    }

    [Fact]
    public void The_regions_own_vote_lapses_like_any_other_when_the_observer_stops_answering()
    {
        var lease = Create();
        lease.SelfAnswered(lease.Now, grants: true);
        lease.Answered(EuWest, lease.Now, granted: true, fenceGeneration: 0, knownGeneration: 0);
        _time.Advance(Period);

        // eu-west keeps confirming, but the region's own vote was last given a period ago and apac-east never confirmed.
        lease.Answered(EuWest, lease.Now, granted: true, fenceGeneration: 0, knownGeneration: 0);
        Assert.False(lease.Holds);
    }

    [Fact]
    public void A_refusal_withdraws_that_regions_confirmation_at_once()
    {
        var lease = Create();
        lease.Answered(EuWest, lease.Now, granted: true, fenceGeneration: 0, knownGeneration: 0);
        lease.Answered(ApacEast, lease.Now, granted: true, fenceGeneration: 0, knownGeneration: 0);
        Assert.True(lease.Holds);

        lease.Answered(ApacEast, lease.Now, granted: false, fenceGeneration: 0, knownGeneration: 0);
        Assert.False(lease.Holds);
    }

    [Fact]
    public void The_regions_own_refusal_withdraws_its_vote()
    {
        var lease = Create();
        lease.SelfAnswered(lease.Now, grants: true);
        lease.Answered(EuWest, lease.Now, granted: true, fenceGeneration: 0, knownGeneration: 0);
        Assert.True(lease.Holds);

        lease.SelfAnswered(lease.Now, grants: false);
        Assert.False(lease.Holds);
    }

    [Fact]
    public void A_grant_fenced_by_a_generation_the_silo_has_not_learned_does_not_count_and_the_earlier_one_stands_until_it_lapses()
    {
        var lease = Create();
        var first = lease.Now;
        lease.Answered(EuWest, first, granted: true, fenceGeneration: 1, knownGeneration: 1);
        lease.Answered(ApacEast, first, granted: true, fenceGeneration: 1, knownGeneration: 1);
        _time.Advance(TimeSpan.FromSeconds(1));

        lease.Answered(EuWest, lease.Now, granted: true, fenceGeneration: 2, knownGeneration: 1);
        Assert.Equal(first + Period - Offset, lease.ValidUntil());

        lease.Answered(EuWest, lease.Now, granted: true, fenceGeneration: 2, knownGeneration: 2);
        Assert.Equal(first + Period - Offset, lease.ValidUntil()); // the majority-th freshest is still apac-east's
    }

    [Fact]
    public void An_answer_to_an_older_request_arriving_late_does_not_shorten_the_lease()
    {
        var lease = Create();
        var older = lease.Now;
        _time.Advance(TimeSpan.FromSeconds(1));
        var newer = lease.Now;
        lease.Answered(EuWest, newer, granted: true, fenceGeneration: 0, knownGeneration: 0);
        lease.Answered(ApacEast, newer, granted: true, fenceGeneration: 0, knownGeneration: 0);
        lease.Answered(EuWest, older, granted: true, fenceGeneration: 0, knownGeneration: 0);

        Assert.Equal(newer + Period - Offset, lease.ValidUntil());
    }
}
