using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Links;

[Collection(ThreeRegionsCollection.Name)]
public sealed class CrossRegionCallTests(ThreeRegionsFixture fixture)
{
    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public void Each_region_is_its_own_cluster()
    {
        var clusterIds = Geo.Regions.Select(r => Geo[r].ClusterId).ToList();

        Assert.Equal(3, clusterIds.Distinct().Count());
        Assert.All(Geo.Regions, r => Assert.Equal(2, Geo[r].Cluster!.Silos.Count));
    }

    [Fact]
    public async Task A_grain_in_us_east_calls_a_grain_in_apac_east_across_the_emulated_wan()
    {
        var call = await Geo.Client("us-east").GetGrain<IRemoteCallerGrain>("caller").CallWhereAmI("apac-east", "target");

        Assert.Equal("us-east", call.Caller.Region.Value);
        Assert.Equal(Geo["us-east"].ClusterId, call.Caller.ClusterId);
        Assert.Equal("apac-east", call.Callee.Region.Value);
        Assert.Equal(Geo["apac-east"].ClusterId, call.Callee.ClusterId);
        Assert.NotEqual(call.Caller.ClusterId, call.Callee.ClusterId);

        // A lower bound only: the emulator must have added the configured round trip.
        Assert.True(call.Elapsed >= Geo.Topology.RoundTrip("us-east", "apac-east"), $"round trip {call.Elapsed} is below the emulated 200 ms");
    }

    [Fact]
    public async Task Every_region_pair_is_linked()
    {
        foreach (var from in Geo.Regions)
        {
            foreach (var to in Geo.Regions.Where(r => r != from))
            {
                var trip = await Geo.Client(from).GetGrain<IRegionProbeGrain>(0).MeasureRoundTrip(to);

                Assert.Equal(to, trip.Reply.Region);
                Assert.Equal(Geo[to].ClusterId, trip.Reply.ClusterId);
                Assert.Equal(from, trip.CalledFrom);
                Assert.True(trip.Elapsed >= Geo.Topology.RoundTrip(from, to), $"{from}->{to}: {trip.Elapsed}");
            }
        }
    }

    [Fact]
    public async Task Cross_region_calls_are_metered_per_direction_in_messages_and_bytes()
    {
        var client = Geo.Client("eu-west").GetGrain<IRemoteCallerGrain>("metered");
        await client.CallWhereAmI("us-east", "warm-up");
        var requestsBefore = Geo.Meter.Messages<IWhereAmIGrain>("eu-west", "us-east");
        var repliesBefore = Geo.Meter.Messages<IWhereAmIGrain>("us-east", "eu-west");
        var bytesBefore = (Geo.Meter.Get("eu-west", "us-east").Bytes, Geo.Meter.Get("us-east", "eu-west").Bytes);

        await client.CallWhereAmI("us-east", "metered");

        // Other traffic (replication, directory anti-entropy) shares the link: count this kind of call alone.
        Assert.Equal(1, Geo.Meter.Messages<IWhereAmIGrain>("eu-west", "us-east") - requestsBefore);
        Assert.Equal(1, Geo.Meter.Messages<IWhereAmIGrain>("us-east", "eu-west") - repliesBefore);
        Assert.True(Geo.Meter.Get("eu-west", "us-east").Bytes > bytesBefore.Item1, "request bytes were not metered");
        Assert.True(Geo.Meter.Get("us-east", "eu-west").Bytes > bytesBefore.Item2, "reply bytes were not metered");
    }

    [Fact]
    public async Task A_call_to_the_local_region_does_not_cross_the_links()
    {
        var before = Geo.Meter.MessagesFrom<IWhereAmIGrain>("apac-east");

        var call = await Geo.Client("apac-east").GetGrain<IRemoteCallerGrain>("local").CallWhereAmI("apac-east", "here");

        Assert.Equal(Geo["apac-east"].ClusterId, call.Callee.ClusterId);
        Assert.Equal(before, Geo.Meter.MessagesFrom<IWhereAmIGrain>("apac-east"));
    }

    [Fact]
    public async Task A_call_to_an_unknown_region_fails_with_a_typed_exception_naming_it()
    {
        var error = await Assert.ThrowsAsync<UnknownRegionException>(
            () => Geo.Client("us-east").GetGrain<IRemoteCallerGrain>("lost").CallWhereAmI("mars-north", "x"));

        Assert.Equal("mars-north", error.Region.Value);
    }
}
