using GeoGrains.Runtime.Ownership;

using ReadLevel = GeoGrains.Consistency;

namespace GeoGrains.Tests.Consistency;

public sealed class ConsistencySettingsTests
{
    [Theory]
    [InlineData("strong")]
    [InlineData("session")]
    [InlineData("eventual")]
    [InlineData("bounded:2500")]
    public void A_read_level_travels_as_text_and_back(string wire) => Assert.Equal(wire, ReadLevel.Parse(wire).ToString());

    [Theory]
    [InlineData("async")]
    [InlineData("sync")]
    [InlineData("semisync:2")]
    [InlineData("sync/1500")]
    public void A_durability_travels_as_text_and_back(string wire) => Assert.Equal(wire, Durability.Parse(wire).ToString());

    [Theory]
    [InlineData("linearizable", "'linearizable' is not a read consistency level")]
    [InlineData("bounded:-5", "positive bound")]
    [InlineData("bounded:abc", "is not a read consistency level")]
    [InlineData("", "is not a read consistency level")]
    public void An_unknown_read_level_is_refused_by_name(string wire, string expected) =>
        Assert.Contains(expected, Assert.Throws<InvalidConsistencyException>(() => ReadLevel.Parse(wire)).Message);

    [Theory]
    [InlineData("quorum", "'quorum' is not a replication mode")]
    [InlineData("semisync:0", "at least 1 other region")]
    [InlineData("sync/soon", "whole number of milliseconds")]
    [InlineData("sync/0", "must be positive")]
    public void An_unknown_durability_is_refused_by_name(string wire, string expected) =>
        Assert.Contains(expected, Assert.Throws<InvalidConsistencyException>(() => Durability.Parse(wire)).Message);

    [Fact]
    public void A_negative_staleness_bound_is_refused()
    {
        var refused = Assert.Throws<InvalidConsistencyException>(() => ReadLevel.BoundedStaleness(TimeSpan.FromSeconds(-1)));
        Assert.Contains("positive bound", refused.Message);
    }

    [Fact]
    public void A_grain_type_may_not_ask_more_regions_than_the_topology_has()
    {
        var attribute = new GeoGrainAttribute { Replication = ReplicationMode.SemiSync, SemiSyncRegions = 3 };

        var refused = Assert.Throws<InvalidConsistencyException>(() => ConsistencyRules.DefaultsOf(attribute, "Shop.CartGrain", regions: 3));

        Assert.Contains("Shop.CartGrain: SemiSync(3)", refused.Message);
        Assert.Contains("the topology has 3 regions (2 besides the owner)", refused.Message);
    }

    [Fact]
    public void An_undefined_level_in_the_attribute_is_refused_naming_the_grain_type()
    {
        var attribute = new GeoGrainAttribute { Reads = (ReadConsistency)42 };

        var refused = Assert.Throws<InvalidConsistencyException>(() => ConsistencyRules.DefaultsOf(attribute, "Shop.CartGrain", regions: 3));

        Assert.Contains("[GeoGrain] on Shop.CartGrain: '42' is not a read consistency level", refused.Message);
    }

    [Fact]
    public void A_bounded_staleness_default_needs_its_bound()
    {
        var attribute = new GeoGrainAttribute { Reads = ReadConsistency.BoundedStaleness };

        var refused = Assert.Throws<InvalidConsistencyException>(() => ConsistencyRules.DefaultsOf(attribute, "Shop.CartGrain", regions: 3));

        Assert.Contains("positive bound", refused.Message);
    }

    [Fact]
    public void The_attribute_defaults_become_the_grain_types_settings()
    {
        var attribute = new GeoGrainAttribute { Reads = ReadConsistency.BoundedStaleness, MaxStalenessMilliseconds = 5000, Replication = ReplicationMode.SemiSync, SemiSyncRegions = 2 };

        var (reads, writes) = ConsistencyRules.DefaultsOf(attribute, "Shop.CartGrain", regions: 3);

        Assert.Equal(ReadLevel.BoundedStaleness(TimeSpan.FromSeconds(5)), reads);
        Assert.Equal(Durability.SemiSync(2), writes);
    }

    [Fact]
    public void Scopes_nest_and_the_innermost_setting_wins_until_it_ends()
    {
        using (GeoContext.Read(ReadLevel.Strong))
        {
            using (var inner = GeoContext.Write(Durability.Sync))
            {
                Assert.Equal(ReadLevel.Strong, inner.Read);
                Assert.Equal(Durability.Sync, inner.Write);
            }

            Assert.Null(GeoContext.Current!.Write);
        }

        Assert.Null(GeoContext.Current);
    }
}
