using GeoGrains.Configuration;
using GeoGrains.Runtime.Replication;

namespace GeoGrains.Tests.Replication;

public sealed class ReplicationOptionsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void An_acknowledgement_timeout_that_is_not_positive_is_refused_at_startup_naming_the_setting(int seconds)
    {
        var options = new GeoGrainsOptions();
        options.Replication.AcknowledgementTimeout = TimeSpan.FromSeconds(seconds);

        var error = Assert.Throws<InvalidTopologyException>(() => ReplicationOptionsValidator.Validate(options.Replication));

        Assert.Contains("GeoGrains:Replication:AcknowledgementTimeout must be positive", error.Message);
    }
}
