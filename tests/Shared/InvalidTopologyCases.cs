using GeoGrains.Configuration;
using Xunit;

namespace GeoGrains.Tests.Shared;

/// <summary>Each way a topology can be invalid, with the words its error must contain; shared by unit and integration tests.</summary>
public static class InvalidTopologyCases
{
    public static TheoryData<string, Action<GeoTopologyOptions>, string> All() => new()
    {
        { "empty", o => { o.Regions.Clear(); o.RoundTrips.Clear(); }, "no regions are configured" },
        { "duplicate id", o => o.Regions.Add(new RegionOptions { Id = "eu-west", Jurisdiction = "EU" }), "region 'eu-west' is listed more than once" },
        { "invalid id", o => o.Regions[0].Id = "US East", "region id 'US East' is invalid" },
        { "missing jurisdiction", o => o.Regions[1].Jurisdiction = " ", "region 'eu-west' has no jurisdiction" },
        { "unknown region in rtt table", o => o.RoundTrips.Add(new RoundTripOptions { Between = "us-east", And = "mars-north", Milliseconds = 900 }), "names region 'mars-north', which is not in the region list" },
        { "missing pair", o => o.RoundTrips.RemoveAt(2), "no round trip is configured between 'eu-west' and 'apac-east'" },
        { "negative delay", o => o.RoundTrips[0].Milliseconds = -5, "round trip us-east↔eu-west is -5 ms; it must be a non-negative number" },
        { "not a number", o => o.RoundTrips[1].Milliseconds = double.NaN, "it must be a non-negative number" },
        { "pair listed twice", o => o.RoundTrips.Add(new RoundTripOptions { Between = "eu-west", And = "us-east", Milliseconds = 90 }), "round trip eu-west↔us-east is listed more than once" },
        { "region paired with itself", o => o.RoundTrips.Add(new RoundTripOptions { Between = "eu-west", And = "eu-west", Milliseconds = 1 }), "pairs a region with itself" },
        { "negative same-region", o => o.SameRegionMilliseconds = -1, "same-region round trip -1 ms" },
        { "bad gateway", o => o.Regions[0].Gateways.Add("localhost"), "gateway 'localhost', which is not an 'address:port' endpoint" },
        { "shared gateway", o => { o.Regions[0].Gateways.Add("127.0.0.1:30000"); o.Regions[2].Gateways.Add("127.0.0.1:30000"); }, "gateway 127.0.0.1:30000 is listed for both 'us-east' and 'apac-east'" },
        { "shared cluster id", o => { o.Regions[0].ClusterId = "prod"; o.Regions[1].ClusterId = "prod"; }, "cluster id 'prod' of region 'eu-west' is used by another region" },
    };
}
