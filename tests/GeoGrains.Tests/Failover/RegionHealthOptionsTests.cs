using GeoGrains.Configuration;
using GeoGrains.Runtime.Failover;

namespace GeoGrains.Tests.Failover;

public sealed class RegionHealthOptionsTests
{
    [Fact]
    public void The_defaults_are_the_seeds_one_second_probes_and_three_failures()
    {
        var options = new GeoGrainsOptions();

        Assert.Equal(TimeSpan.FromSeconds(1), options.Health.ProbeInterval);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Health.ProbeTimeout);
        Assert.Equal(3, options.Health.FailuresToSuspect);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Health.StartupGrace);
    }

    [Theory]
    [InlineData("ProbeInterval")]
    [InlineData("ProbeTimeout")]
    [InlineData("FailuresToSuspect")]
    [InlineData("StartupGrace")]
    public void A_setting_that_cannot_work_is_refused_at_startup_naming_it(string setting)
    {
        var options = new GeoGrainsOptions();
        switch (setting)
        {
            case "ProbeInterval":
                options.Health.ProbeInterval = TimeSpan.Zero;
                break;
            case "ProbeTimeout":
                options.Health.ProbeTimeout = TimeSpan.FromSeconds(-1);
                break;
            case "StartupGrace":
                options.Health.StartupGrace = TimeSpan.FromSeconds(-1);
                break;
            default:
                options.Health.FailuresToSuspect = 0;
                break;
        }

        var error = Assert.Throws<InvalidTopologyException>(() => RegionHealthOptionsValidator.Validate(options.Health));

        Assert.Contains($"GeoGrains:Health:{setting}", error.Message);
    }
}
