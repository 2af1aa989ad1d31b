using GeoGrains.Configuration;
using GeoGrains.Runtime.Hosting;
using GeoGrains.Runtime.Topology;
using Orleans.Configuration;

namespace GeoGrains.Tests.Replication;

public sealed class ReplicationOptionsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void An_acknowledgement_timeout_that_is_not_positive_is_refused_at_startup_naming_the_setting(int seconds)
    {
        var topology = GeoTopology.DefaultOptions();
        for (var i = 0; i < topology.Regions.Count; i++)
        {
            topology.Regions[i].Gateways.Add($"127.0.0.1:{30000 + i}");
        }

        var options = new GeoGrainsOptions { Region = "us-east", Topology = topology };
        options.Replication.AcknowledgementTimeout = TimeSpan.FromSeconds(seconds);

        var error = Assert.Throws<InvalidTopologyException>(() => GeoGrainsOptionsValidator.Resolve(options, new ClusterOptions { ClusterId = "geo-us-east" }));

        Assert.Contains("GeoGrains:Replication:AcknowledgementTimeout must be positive", error.Message);
    }
}
