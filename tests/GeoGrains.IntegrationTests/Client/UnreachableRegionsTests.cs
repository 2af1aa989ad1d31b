using System.Net;
using System.Net.Sockets;
using GeoGrains.Client;
using GeoGrains.IntegrationTests.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GeoGrains.IntegrationTests.Client;

/// <summary>Bad input the region-aware client meets at call time: regions that nobody serves.</summary>
public sealed class UnreachableRegionsTests
{
    [Fact]
    public async Task When_every_region_is_unreachable_a_call_fails_naming_each_region_and_the_app_still_starts()
    {
        using var host = new HostBuilder()
            .UseGeoGrainsClient(o =>
            {
                o.Regions.Add(new GeoClientRegionOptions { Name = "us-east", Gateways = [$"127.0.0.1:{FreePort()}"] });
                o.Regions.Add(new GeoClientRegionOptions { Name = "eu-west", Gateways = [$"127.0.0.1:{FreePort()}"] });
                o.ConnectTimeout = TimeSpan.FromSeconds(1);
                o.CallTimeout = TimeSpan.FromSeconds(5);
            })
            .Build();
        await host.StartAsync();

        var geo = host.Services.GetRequiredService<IGeoClient>();
        Assert.Null(geo.CurrentRegion);
        Assert.All(geo.Regions, r => Assert.False(r.Healthy));

        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var error = await Assert.ThrowsAsync<NoRegionAvailableException>(() => grains.GetGrain<IProfileGrain>("us-east/nobody").Rename("x"));

        Assert.Equal([(RegionId)"us-east", (RegionId)"eu-west"], error.RegionsTried.Order().Reverse());
        Assert.Contains("'us-east'", error.Message);
        Assert.Contains("'eu-west'", error.Message);
        Assert.Contains("IProfileGrain.Rename", error.Message);
        await host.StopAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
