using GeoGrains.Configuration;
using GeoGrains.Runtime.Ownership;

namespace GeoGrains.Tests.Ownership;

public sealed class OwnershipDirectoryOptionsTests
{
    [Theory]
    [InlineData(0, 100, "LogRetention (0)")]
    [InlineData(100, -1, "MaxCachedOverrides (-1)")]
    public void A_directory_that_keeps_nothing_is_refused_at_startup_naming_the_setting(int logRetention, int maxCachedOverrides, string named)
    {
        var options = new GeoGrainsOptions();
        options.Directory.LogRetention = logRetention;
        options.Directory.MaxCachedOverrides = maxCachedOverrides;

        var error = Assert.Throws<InvalidTopologyException>(() => OwnershipDirectoryOptionsValidator.Validate(options.Directory));

        Assert.Contains("GeoGrains:Directory", error.Message);
        Assert.Contains(named, error.Message);
    }
}
