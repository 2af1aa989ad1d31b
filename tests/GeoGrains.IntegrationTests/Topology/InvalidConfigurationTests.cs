using GeoGrains.Configuration;
using System.Net;
using System.Net.Sockets;
using GeoGrains.Runtime.Topology;
using GeoGrains.Testing;
using GeoGrains.Tests.Shared;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;

namespace GeoGrains.IntegrationTests.Topology;

/// <summary>A silo with a configuration that cannot work refuses to start, and says why.</summary>
public sealed class InvalidConfigurationTests
{
    [Theory]
    [MemberData(nameof(InvalidTopologyCases.All), MemberType = typeof(InvalidTopologyCases))]
    public async Task A_silo_with_an_invalid_topology_refuses_to_start(string name, Action<GeoTopologyOptions> breakIt, string expected)
    {
        var topology = WithGateways(GeoTopology.DefaultOptions());
        breakIt(topology);

        var error = await StartSiloExpectingFailure(o =>
        {
            o.Region = "us-east";
            o.Topology = topology;
        });

        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{name}: '{error.Message}' does not contain '{expected}'");
    }

    [Fact]
    public async Task A_silo_with_a_negative_marker_linger_refuses_to_start_naming_the_setting() =>
        Assert.Contains("GeoGrains:Replication", (await StartSiloExpectingFailure(o =>
        {
            o.Region = "us-east";
            o.Topology = WithGateways(GeoTopology.DefaultOptions());
            o.Replication.MarkerLinger = TimeSpan.FromSeconds(-1);
        })).Message);

    [Fact]
    public async Task A_silo_with_a_zero_heartbeat_interval_refuses_to_start_naming_the_setting() =>
        Assert.Contains("GeoGrains:Replication:HeartbeatInterval must be positive", (await StartSiloExpectingFailure(o =>
        {
            o.Region = "us-east";
            o.Topology = WithGateways(GeoTopology.DefaultOptions());
            o.Replication.HeartbeatInterval = TimeSpan.Zero;
        })).Message);

    [Fact]
    public async Task A_silo_without_a_region_refuses_to_start() =>
        Assert.Contains("region is not set", (await StartSiloExpectingFailure(o => o.Topology = WithGateways(GeoTopology.DefaultOptions()))).Message);

    [Fact]
    public async Task A_silo_in_a_region_outside_the_topology_refuses_to_start() =>
        Assert.Contains("region 'mars-north' is not in the topology", (await StartSiloExpectingFailure(o =>
        {
            o.Region = "mars-north";
            o.Topology = WithGateways(GeoTopology.DefaultOptions());
        })).Message);

    [Fact]
    public async Task A_silo_whose_cluster_id_is_not_its_regions_refuses_to_start() =>
        Assert.Contains("differs from region 'us-east''s cluster id 'geo-us-east'", (await StartSiloExpectingFailure(
            o =>
            {
                o.Region = "us-east";
                o.Topology = WithGateways(GeoTopology.DefaultOptions());
            },
            clusterId: "geo-eu-west")).Message);

    [Fact]
    public async Task A_silo_that_cannot_reach_a_region_without_gateways_refuses_to_start() =>
        Assert.Contains("region 'apac-east' has no gateways", (await StartSiloExpectingFailure(o =>
        {
            o.Region = "us-east";
            o.Topology = WithGateways(GeoTopology.DefaultOptions());
            o.Topology.Regions.Single(r => r.Id == "apac-east").Gateways.Clear();
        })).Message);

    [Fact]
    public async Task A_test_cluster_refuses_unknown_regions_before_starting_anything()
    {
        var error = Assert.Throws<UnknownRegionException>(() => new GeoTestClusterBuilder().WithRegions("us-east", "mars-north"));

        Assert.Equal("mars-north", error.Region.Value);
        await Task.CompletedTask;
    }

    private static GeoTopologyOptions WithGateways(GeoTopologyOptions topology)
    {
        var port = 41000;
        foreach (var region in topology.Regions)
        {
            region.Gateways.Add($"127.0.0.1:{port++}");
        }

        return topology;
    }

    private static async Task<InvalidTopologyException> StartSiloExpectingFailure(Action<GeoGrainsOptions> configure, string clusterId = "geo-us-east")
    {
        using var host = new HostBuilder()
            .UseOrleans(silo => silo
                .UseLocalhostClustering(LoopbackPort.Free(), LoopbackPort.Free(), clusterId: clusterId, serviceId: "invalid-config")
                .AddGeoGrains(configure))
            .Build();

        var error = await Record.ExceptionAsync(() => host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        await host.StopAsync(CancellationToken.None).ContinueWith(_ => { });

        Assert.NotNull(error);
        return ExceptionChain.Find<InvalidTopologyException>(error)
            ?? throw new Xunit.Sdk.XunitException($"Expected InvalidTopologyException, got {error}");
    }
}
