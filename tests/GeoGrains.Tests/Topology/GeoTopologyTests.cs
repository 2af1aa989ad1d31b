using GeoGrains.Configuration;
using System.Net;
using GeoGrains.Runtime.Topology;
using GeoGrains.Tests.Shared;
using Microsoft.Extensions.Configuration;

namespace GeoGrains.Tests.Topology;

public sealed class GeoTopologyTests
{
    [Fact]
    public void Default_topology_is_the_seeds_three_regions_and_latency_table()
    {
        var topology = GeoTopology.Default;

        Assert.Equal(["us-east", "eu-west", "apac-east"], topology.RegionIds.Select(r => r.Value));
        Assert.Equal(["US", "EU", "APAC"], topology.Regions.Select(r => r.Jurisdiction));
        Assert.Equal(TimeSpan.FromMilliseconds(100), topology.RoundTrip("us-east", "eu-west"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), topology.RoundTrip("us-east", "apac-east"));
        Assert.Equal(TimeSpan.FromMilliseconds(250), topology.RoundTrip("eu-west", "apac-east"));
        Assert.Equal(TimeSpan.FromMilliseconds(1), topology.RoundTrip("eu-west", "eu-west"));
        Assert.Equal("geo-eu-west", topology["eu-west"].ClusterId);
    }

    [Fact]
    public void Round_trips_are_symmetric_and_one_way_delay_is_half()
    {
        var topology = GeoTopology.Default;

        Assert.Equal(topology.RoundTrip("apac-east", "us-east"), topology.RoundTrip("us-east", "apac-east"));
        Assert.Equal(TimeSpan.FromMilliseconds(125), topology.OneWayDelay("apac-east", "eu-west"));
    }

    [Fact]
    public void Loads_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GeoGrains:Topology:Regions:0:Id"] = "us-west",
            ["GeoGrains:Topology:Regions:0:Jurisdiction"] = "US",
            ["GeoGrains:Topology:Regions:0:Gateways:0"] = "127.0.0.1:30000",
            ["GeoGrains:Topology:Regions:0:Gateways:1"] = "127.0.0.1:30001",
            ["GeoGrains:Topology:Regions:1:Id"] = "eu-central",
            ["GeoGrains:Topology:Regions:1:DisplayName"] = "Frankfurt",
            ["GeoGrains:Topology:Regions:1:Jurisdiction"] = "EU",
            ["GeoGrains:Topology:Regions:1:ClusterId"] = "frankfurt-prod",
            ["GeoGrains:Topology:RoundTrips:0:Between"] = "eu-central",
            ["GeoGrains:Topology:RoundTrips:0:And"] = "us-west",
            ["GeoGrains:Topology:RoundTrips:0:Milliseconds"] = "150",
            ["GeoGrains:Topology:SameRegionMilliseconds"] = "2",
        }).Build();

        var options = configuration.GetSection(GeoTopologyOptions.SectionName).Get<GeoTopologyOptions>()!;
        var topology = GeoTopology.FromOptions(options);

        Assert.Equal(TimeSpan.FromMilliseconds(150), topology.RoundTrip("us-west", "eu-central"));
        Assert.Equal(TimeSpan.FromMilliseconds(2), topology.SameRegionRoundTrip);
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 30000), new IPEndPoint(IPAddress.Loopback, 30001)], topology["us-west"].Gateways);
        Assert.Equal("us-west", topology["us-west"].DisplayName);
        Assert.Equal("Frankfurt", topology["eu-central"].DisplayName);
        Assert.Equal("frankfurt-prod", topology["eu-central"].ClusterId);
    }

    [Fact]
    public void Options_round_trip_through_ToOptions()
    {
        var topology = GeoTopology.Default.WithGateways("eu-west", [new IPEndPoint(IPAddress.Loopback, 4000)], "eu-1");
        var again = GeoTopology.FromOptions(topology.ToOptions());

        Assert.Equal(topology.RegionIds, again.RegionIds);
        Assert.Equal("eu-1", again["eu-west"].ClusterId);
        Assert.Equal(4000, Assert.Single(again["eu-west"].Gateways).Port);
        Assert.Equal(topology.RoundTrip("eu-west", "apac-east"), again.RoundTrip("apac-east", "eu-west"));
    }

    [Fact]
    public void Subset_keeps_the_round_trips_of_the_kept_regions()
    {
        var two = GeoTopology.Default.Subset(["apac-east", "eu-west"]);

        Assert.Equal(["eu-west", "apac-east"], two.RegionIds.Select(r => r.Value));
        Assert.Equal(TimeSpan.FromMilliseconds(250), two.RoundTrip("eu-west", "apac-east"));
        Assert.False(two.Contains("us-east"));
    }

    [Fact]
    public void Unknown_region_lookups_name_the_region()
    {
        var error = Assert.Throws<UnknownRegionException>(() => GeoTopology.Default.RoundTrip("us-east", "mars-north"));

        Assert.Equal("mars-north", error.Region.Value);
        Assert.Contains("mars-north", error.Message);
        Assert.Contains("us-east", error.Message);
    }


    [Theory]
    [MemberData(nameof(InvalidTopologyCases.All), MemberType = typeof(InvalidTopologyCases))]
    public void Invalid_topology_is_refused_with_a_message_naming_the_problem(string name, Action<GeoTopologyOptions> breakIt, string expected)
    {
        var options = GeoTopology.DefaultOptions();
        breakIt(options);

        var error = Assert.Throws<InvalidTopologyException>(() => GeoTopology.FromOptions(options));

        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{name}: '{error.Message}' does not contain '{expected}'");
    }
}
