using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// With two regions no majority survives the loss of one: failover is off, a region keeps writing what it owns, and a
/// planned drain is refused with the reason.
/// </summary>
public sealed class TwoRegionFailoverTests(TwoRegionsFixture fixture) : IClassFixture<TwoRegionsFixture>
{
    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task Draining_a_region_of_two_is_refused_and_writes_go_on_at_the_owner()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Geo.Client("eu-west").DrainRegionAsync("us-east"));
        Assert.Contains("three regions", refused.Message, StringComparison.Ordinal);

        var receipt = await Geo.Client("eu-west").GetGrain<IProfileGrain>($"us-east/two-{Guid.NewGuid():N}").Append(1);
        Assert.Equal("us-east", receipt.ExecutedIn);
    }
}
