using GeoGrains.Client;
using GeoGrains.Client.Routing;

namespace GeoGrains.Tests.Client;

public sealed class RegionSelectorTests
{
    private static readonly RegionId Us = "us-east";
    private static readonly RegionId Eu = "eu-west";
    private static readonly RegionId Apac = "apac-east";
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Failback = TimeSpan.FromSeconds(30);

    private static GeoRegionStatus Up(RegionId region, int ms, TimeSpan? since = null) =>
        new(region, true, TimeSpan.FromMilliseconds(ms), Now - (since ?? TimeSpan.FromMinutes(5)), null);

    private static GeoRegionStatus Down(RegionId region, int ms) => new(region, false, TimeSpan.FromMilliseconds(ms), null, "refused");

    [Fact]
    public void Without_a_current_region_the_nearest_healthy_one_is_chosen()
    {
        Assert.Equal(Eu, RegionSelector.Choose(null, [Up(Us, 100), Up(Eu, 2), Up(Apac, 250)], [], Now, Failback));
        Assert.Equal(Us, RegionSelector.Choose(null, [Up(Us, 100), Down(Eu, 2), Up(Apac, 250)], [], Now, Failback));
    }

    [Fact]
    public void A_preferred_list_overrides_the_measurement_in_its_order()
    {
        Assert.Equal(Apac, RegionSelector.Choose(null, [Up(Us, 100), Up(Eu, 2), Up(Apac, 250)], [Apac, Us], Now, Failback));
        Assert.Equal(Us, RegionSelector.Choose(null, [Up(Us, 100), Up(Eu, 2), Down(Apac, 250)], [Apac, Us], Now, Failback));
    }

    [Fact]
    public void When_the_current_region_goes_down_the_next_nearest_healthy_one_takes_over_at_once()
    {
        Assert.Equal(Us, RegionSelector.Choose(Eu, [Up(Us, 100, TimeSpan.Zero), Down(Eu, 2), Up(Apac, 250)], [], Now, Failback));
        Assert.Null(RegionSelector.Choose(Eu, [Down(Us, 100), Down(Eu, 2), Down(Apac, 250)], [], Now, Failback));
    }

    [Fact]
    public void The_client_moves_back_only_after_the_better_region_was_healthy_for_the_stable_period()
    {
        GeoRegionStatus[] justBack = [Up(Us, 100), Up(Eu, 2, TimeSpan.FromSeconds(29)), Up(Apac, 250)];
        Assert.Equal(Us, RegionSelector.Choose(Us, justBack, [], Now, Failback));

        GeoRegionStatus[] stable = [Up(Us, 100), Up(Eu, 2, TimeSpan.FromSeconds(30)), Up(Apac, 250)];
        Assert.Equal(Eu, RegionSelector.Choose(Us, stable, [], Now, Failback));

        // Back to a preferred region as well, even a farther one.
        Assert.Equal(Apac, RegionSelector.Choose(Us, [Up(Us, 100), Up(Apac, 250, TimeSpan.FromSeconds(31))], [Apac], Now, Failback));
    }

    [Fact]
    public void A_region_only_slightly_nearer_does_not_draw_the_client_away()
    {
        Assert.Equal(Us, RegionSelector.Choose(Us, [Up(Us, 100), Up(Eu, 90)], [], Now, Failback));
        Assert.Equal(Eu, RegionSelector.Choose(Us, [Up(Us, 100), Up(Eu, 70)], [], Now, Failback));
    }

    [Fact]
    public void A_call_tries_the_owner_then_the_current_region_then_healthy_ones_by_rank_then_those_down()
    {
        GeoRegionStatus[] regions = [Up(Us, 100), Up(Eu, 2), Down(Apac, 250)];

        Assert.Equal([Eu, Us, Apac], RegionSelector.CallOrder(null, Eu, regions, []));
        Assert.Equal([Us, Eu, Apac], RegionSelector.CallOrder(Us, Eu, regions, []));

        // An owner that is down is not tried first.
        Assert.Equal([Eu, Us, Apac], RegionSelector.CallOrder(Apac, Eu, regions, []));
    }
}
