namespace GeoGrains.Tests;

public sealed class RegionIdTests
{
    [Theory]
    [InlineData("us-east")]
    [InlineData("eu-west-2")]
    [InlineData("a")]
    public void Accepts_lower_case_dns_like_names(string value) => Assert.Equal(value, RegionId.Parse(value).Value);

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("EU-West", "use lower-case letters")]
    [InlineData("eu west", "use lower-case letters")]
    [InlineData("-eu", "use lower-case letters")]
    [InlineData("eu-", "use lower-case letters")]
    [InlineData("eu/west", "use lower-case letters")]
    public void Rejects_malformed_names_saying_why(string value, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => RegionId.Parse(value));

        Assert.Contains($"'{value}'", error.Message);
        Assert.Contains(reason, error.Message);
        Assert.False(RegionId.TryParse(value, out _));
    }

    [Fact]
    public void Rejects_names_longer_than_a_dns_label() =>
        Assert.Contains("longer than 63", Assert.Throws<ArgumentException>(() => RegionId.Parse(new string('a', 64))).Message);

    [Fact]
    public void Equal_by_value_and_ordered_ordinally()
    {
        Assert.Equal(RegionId.Parse("eu-west"), (RegionId)"eu-west");
        Assert.True(RegionId.Parse("apac-east").CompareTo("us-east") < 0);
    }
}
