using GeoGrains.Configuration;
using GeoGrains.Runtime.Hosting;
using GeoGrains.Runtime.Topology;
using Orleans.Configuration;

namespace GeoGrains.Tests.Ownership;

public sealed class OwnershipDirectoryOptionsTests
{
    [Theory]
    [InlineData(0, 100, "LogRetention (0)")]
    [InlineData(100, -1, "MaxCachedOverrides (-1)")]
    public void A_directory_that_keeps_nothing_is_refused_at_startup_naming_the_setting(int logRetention, int maxCachedOverrides, string named)
    {
        var topology = GeoTopology.DefaultOptions();
        for (var i = 0; i < topology.Regions.Count; i++)
        {
            topology.Regions[i].Gateways.Add($"127.0.0.1:{30000 + i}");
        }

        var options = new GeoGrainsOptions { Region = "us-east", Topology = topology };
        options.Directory.LogRetention = logRetention;
        options.Directory.MaxCachedOverrides = maxCachedOverrides;

        var error = Assert.Throws<InvalidTopologyException>(() => GeoGrainsOptionsValidator.Resolve(options, new ClusterOptions { ClusterId = "geo-us-east" }));

        Assert.Contains("GeoGrains:Directory", error.Message);
        Assert.Contains(named, error.Message);
    }
}
