using System.Net;
using GeoGrains.Client;
using GeoGrains.Client.Regions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace GeoGrains.Tests.Client;

public sealed class GeoClientSettingsTests
{
    private static GeoGrainsClientOptions TwoRegions() => new()
    {
        Regions =
        [
            new GeoClientRegionOptions { Name = "us-east", Gateways = ["10.0.0.1:30000", "gw.us-east.example:30001"] },
            new GeoClientRegionOptions { Name = "eu-west", Gateways = ["[::1]:30000"], ClusterId = "custom" },
        ],
    };

    [Fact]
    public void Valid_settings_default_cluster_ids_as_the_silos_do_and_parse_every_endpoint_form()
    {
        var settings = GeoClientSettings.Validate(TwoRegions());

        Assert.Equal("geo-us-east", settings.Regions[0].ClusterId);
        Assert.Equal("custom", settings.Regions[1].ClusterId);
        Assert.Equal("geograins", settings.Regions[0].ServiceId);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 30000), settings.Regions[0].Gateways[0]);
        Assert.Equal(new DnsEndPoint("gw.us-east.example", 30001), settings.Regions[0].Gateways[1]);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 30000), settings.Regions[1].Gateways[0]);
    }

    [Fact]
    public void No_regions_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<InvalidGeoClientOptionsException>(() => GeoClientSettings.Validate(new GeoGrainsClientOptions()));
        Assert.Contains("GeoGrains:Client:Regions is empty", error.Message);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:0")]
    [InlineData("localhost:70000")]
    [InlineData(":30000")]
    [InlineData("bad host:30000")]
    [InlineData("10.0.0.1:port")]
    public void A_malformed_endpoint_is_refused_naming_the_region_and_the_endpoint(string endpoint)
    {
        var options = TwoRegions();
        options.Regions[1].Gateways = [endpoint];

        var error = Assert.Throws<InvalidGeoClientOptionsException>(() => GeoClientSettings.Validate(options));
        Assert.Contains("'eu-west'", error.Message);
        Assert.Contains($"'{endpoint}'", error.Message);
    }

    [Fact]
    public void An_unknown_preferred_region_is_refused_naming_it_and_the_known_ones()
    {
        var options = TwoRegions();
        options.PreferredRegions = ["eu-west", "apac-east"];

        var error = Assert.Throws<InvalidGeoClientOptionsException>(() => GeoClientSettings.Validate(options));
        Assert.Contains("'apac-east'", error.Message);
        Assert.Contains("us-east, eu-west", error.Message);
    }

    [Fact]
    public void A_duplicate_region_or_a_region_without_gateways_is_refused()
    {
        var duplicate = TwoRegions();
        duplicate.Regions[1].Name = "us-east";
        Assert.Contains("twice", Assert.Throws<InvalidGeoClientOptionsException>(() => GeoClientSettings.Validate(duplicate)).Message);

        var empty = TwoRegions();
        empty.Regions[0].Gateways = [];
        Assert.Contains("no gateways", Assert.Throws<InvalidGeoClientOptionsException>(() => GeoClientSettings.Validate(empty)).Message);
    }

    [Fact]
    public void Invalid_timings_are_refused_naming_the_setting()
    {
        var options = TwoRegions();
        options.CallTimeout = TimeSpan.Zero;
        Assert.Contains("CallTimeout", Assert.Throws<InvalidGeoClientOptionsException>(() => GeoClientSettings.Validate(options)).Message);

        options = TwoRegions();
        options.LatencySmoothing = 1.5;
        Assert.Contains("LatencySmoothing", Assert.Throws<InvalidGeoClientOptionsException>(() => GeoClientSettings.Validate(options)).Message);
    }

    [Fact]
    public void UseGeoGrainsClient_reads_the_configuration_section_and_fails_the_host_on_bad_input()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GeoGrains:Client:Regions:0:Name"] = "us-east",
            ["GeoGrains:Client:Regions:0:Gateways:0"] = "not-an-endpoint",
        });

        var error = Assert.Throws<InvalidGeoClientOptionsException>(() => builder.UseGeoGrainsClient());
        Assert.Contains("'not-an-endpoint'", error.Message);

        var hostBuilder = new HostBuilder().UseGeoGrainsClient(o => o.Regions.Clear());
        Assert.Contains("Regions is empty", Assert.Throws<InvalidGeoClientOptionsException>(() => hostBuilder.Build()).Message);
    }
}
