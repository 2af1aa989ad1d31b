using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Links;

[Collection(ThreeRegionsCollection.Name)]
public sealed class PartitionTests(ThreeRegionsFixture fixture) : IDisposable
{
    // Generous: the call must fail on its own at the link timeout; this only turns a hang into a failed test.
    private static readonly TimeSpan HangGuard = ThreeRegionsFixture.CallTimeout + TimeSpan.FromSeconds(20);

    private GeoTestCluster Geo => fixture.Geo;

    public void Dispose() => Geo.Heal();

    [Fact]
    public async Task A_call_across_a_partition_fails_with_RegionUnreachableException_naming_both_regions()
    {
        Geo.Partition("us-east", "eu-west");

        var error = await Assert.ThrowsAsync<RegionUnreachableException>(
            () => Caller("us-east").CallWhereAmI("eu-west", "p1").WaitAsync(HangGuard));

        Assert.Equal("us-east", error.From.Value);
        Assert.Equal("eu-west", error.To.Value);
        Assert.Contains("'eu-west' is unreachable from region 'us-east'", error.Message);
        Assert.True(error.Message.Contains("partitioned"), error.ToString());
    }

    [Fact]
    public async Task A_partition_cuts_both_directions_and_leaves_other_links_working()
    {
        Geo.Partition("us-east", "eu-west");

        await Assert.ThrowsAsync<RegionUnreachableException>(() => Caller("eu-west").CallWhereAmI("us-east", "p2").WaitAsync(HangGuard));
        var other = await Caller("us-east").CallWhereAmI("apac-east", "p2");

        Assert.Equal(Geo["apac-east"].ClusterId, other.Callee.ClusterId);
    }

    [Fact]
    public async Task After_heal_calls_work_again()
    {
        Geo.Partition("apac-east", "eu-west");
        await Assert.ThrowsAsync<RegionUnreachableException>(() => Caller("apac-east").CallWhereAmI("eu-west", "h").WaitAsync(HangGuard));

        Geo.Heal();
        var call = await Caller("apac-east").CallWhereAmI("eu-west", "h");

        Assert.Equal(Geo["eu-west"].ClusterId, call.Callee.ClusterId);
    }

    [Fact]
    public async Task An_isolated_region_can_neither_reach_nor_be_reached()
    {
        Geo.Isolate("apac-east");

        await Assert.ThrowsAsync<RegionUnreachableException>(() => Caller("us-east").CallWhereAmI("apac-east", "i").WaitAsync(HangGuard));
        await Assert.ThrowsAsync<RegionUnreachableException>(() => Caller("apac-east").CallWhereAmI("eu-west", "i").WaitAsync(HangGuard));
        var unaffected = await Caller("eu-west").CallWhereAmI("us-east", "i");

        Assert.Equal(Geo["us-east"].ClusterId, unaffected.Callee.ClusterId);
    }

    [Fact]
    public async Task A_lost_reply_leaves_the_outcome_unknown_to_the_caller_but_the_call_took_effect()
    {
        var key = $"lost-reply-{Guid.NewGuid():N}";
        Assert.Equal(1, await Caller("eu-west").IncrementRemoteCounter("us-east", key));

        // Requests arrive, replies vanish: the caller sees a failure although the write happened (Jepsen's "info").
        Geo.Network.SetLoss("us-east", "eu-west", 1);
        await Assert.ThrowsAsync<RegionUnreachableException>(
            () => Caller("eu-west").IncrementRemoteCounter("us-east", key).WaitAsync(HangGuard));
        Geo.Heal();

        Assert.Equal(2, await Geo.Client("us-east").GetGrain<ICounterGrain>(key).Get());
    }

    [Fact]
    public async Task A_lost_request_never_takes_effect()
    {
        var key = $"lost-request-{Guid.NewGuid():N}";
        Geo.Network.SetLoss("eu-west", "us-east", 1);

        var error = await Assert.ThrowsAsync<RegionUnreachableException>(
            () => Caller("eu-west").IncrementRemoteCounter("us-east", key).WaitAsync(HangGuard));
        Geo.Heal();

        Assert.Contains("lost", error.Message);
        Assert.Equal(0, await Geo.Client("us-east").GetGrain<ICounterGrain>(key).Get());
    }

    private IRemoteCallerGrain Caller(RegionId region) => Geo.Client(region).GetGrain<IRemoteCallerGrain>($"caller-{region}");
}
