using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Topology;

namespace GeoGrains.Tests.Ownership;

public sealed class HomeRegionPolicyTests
{
    private static readonly Dictionary<string, Func<string, RegionId>> Functions = new()
    {
        ["by-country"] = key => key.StartsWith("de:", StringComparison.Ordinal) ? "eu-west" : key.StartsWith("jp:", StringComparison.Ordinal) ? "apac-east" : "us-east",
        ["broken"] = _ => throw new InvalidOperationException("no country"),
        ["elsewhere"] = _ => "mars-north",
    };

    private static HomeRegionPolicy Policy(HomeBy home, string? function = null) =>
        HomeRegionPolicy.For(new GeoGrainAttribute { Home = home, HomeFunction = function }, GeoTopology.Default, Functions, "TestGrain");

    [Theory]
    [InlineData("eu-west/alice", "eu-west")]
    [InlineData("apac-east/x/y", "apac-east")]
    public void Key_prefix_names_the_home_region(string key, string region) => Assert.Equal(region, Policy(HomeBy.KeyPrefix).HomeOf(key).Value);

    [Theory]
    [InlineData("alice", "no region prefix")]
    [InlineData("/alice", "no region prefix")]
    [InlineData("eu-west/", "no region prefix")]
    [InlineData("EU/alice", "names region 'EU'")]
    [InlineData("mars-north/alice", "names region 'mars-north', which is not in the topology")]
    public void Unplaceable_keys_fail_naming_the_key(string key, string reason)
    {
        var error = Assert.Throws<GrainPlacementException>(() => Policy(HomeBy.KeyPrefix).HomeOf(key));

        Assert.Equal(key, error.Key);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Hash_placement_is_stable_and_spreads_keys_over_every_region()
    {
        var policy = Policy(HomeBy.Hash);
        var homes = Enumerable.Range(0, 300).Select(i => policy.HomeOf($"user-{i}")).ToList();

        Assert.Equal(homes, Enumerable.Range(0, 300).Select(i => Policy(HomeBy.Hash).HomeOf($"user-{i}")));
        Assert.Equal(3, homes.Distinct().Count());
        Assert.All(homes.GroupBy(h => h), g => Assert.InRange(g.Count(), 60, 140));
    }

    [Fact]
    public void The_stable_hash_does_not_change_between_versions() =>
        Assert.Equal(0x4f9f2cabu, KeyHash.Of("hello"));

    [Fact]
    public void A_function_places_keys_and_its_failures_are_placement_errors()
    {
        Assert.Equal("eu-west", Policy(HomeBy.Function, "by-country").HomeOf("de:1").Value);
        Assert.Equal("apac-east", Policy(HomeBy.Function, "by-country").HomeOf("jp:2").Value);
        Assert.Contains("home function 'broken' failed: no country", Assert.Throws<GrainPlacementException>(() => Policy(HomeBy.Function, "broken").HomeOf("k")).Message);
        Assert.Contains("chose region 'mars-north'", Assert.Throws<GrainPlacementException>(() => Policy(HomeBy.Function, "elsewhere").HomeOf("k")).Message);
    }

    [Fact]
    public void An_unregistered_home_function_is_a_registration_error() =>
        Assert.Contains("home function 'missing' is not registered",
            Assert.Throws<GeoGrainNotRegisteredException>(() => Policy(HomeBy.Function, "missing")).Message);

    [Fact]
    public void Partitions_are_buckets_of_the_home_region()
    {
        var partitions = Enumerable.Range(0, 1000).Select(i => HomePartition.Of("eu-west", $"eu-west/{i}", 64)).ToList();

        Assert.All(partitions, p => Assert.Equal("eu-west", p.Home.Value));
        Assert.All(partitions, p => Assert.InRange(p.Bucket, 0, 63));
        Assert.Equal(64, partitions.Select(p => p.Bucket).Distinct().Count());
    }
}
