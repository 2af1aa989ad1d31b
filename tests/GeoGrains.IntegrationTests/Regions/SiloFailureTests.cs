using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;

namespace GeoGrains.IntegrationTests.Regions;

/// <summary>us-east and eu-west with two silos each, for a test class that kills a silo; one per test class.</summary>
public sealed class SiloFailureFixture : IAsyncLifetime
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(3);

    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Geo = await new GeoTestClusterBuilder().WithRegions("us-east", "eu-west").WithSilosPerRegion(2).WithCallTimeout(CallTimeout).StartAsync();

    public async Task DisposeAsync() => await Geo.DisposeAsync();
}

/// <summary>
/// A region that has just lost one of its two silos: a write forwarded to it afterwards from another region ends within
/// what the links bound (see "Where a call's time goes when a silo dies" in docs/ARCHITECTURE.md),
/// not after Orleans' 30 s response timeout.
/// </summary>
public sealed class SiloFailureTests(SiloFailureFixture fixture) : IClassFixture<SiloFailureFixture>
{
    // A forwarded write may pay for a new connection to the region (at most the call timeout, as the test cluster sets
    // ConnectTimeout) and then for the call (the call timeout, and RemoteRegionClient's 1 s margin). The callers' clients
    // give up after this, so a call waiting out a 30 s response timeout fails the test with a TimeoutException.
    private static readonly TimeSpan Bound = 2 * SiloFailureFixture.CallTimeout + TimeSpan.FromSeconds(1);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task A_write_sent_through_a_region_whose_silo_was_just_killed_completes_or_fails_typed_within_the_link_bound()
    {
        var region = Geo["us-east"].Cluster!;
        var victim = region.SecondarySilos[0]; // the primary holds the test cluster's membership table
        await using var local = await ClientAsync("us-east");
        await using var remote = await ClientAsync("eu-west");

        // Grains whose activations are on the silo about to die.
        var grains = new List<string>();
        var management = local.Client.GetGrain<IManagementGrain>(0);
        for (var i = 0; i < 64 && grains.Count < 4; i++)
        {
            var key = $"us-east/silo-failure-{i}";
            await local.Client.GetGrain<IProfileGrain>(key).Rename("before");
            var onVictim = await management.GetDetailedGrainStatistics(hostsIds: [victim.SiloAddress]);
            if (onVictim.Any(s => s.GrainId.Key.ToString() == key))
            {
                grains.Add(key);
            }
        }

        Assert.NotEmpty(grains);
        await region.KillSiloAsync(victim);

        // Forwarded from eu-west: bounded by the link. (A write sent straight to us-east's gateway waits for Orleans'
        // membership to declare the silo dead, which no GeoGrains setting bounds; see docs/ARCHITECTURE.md.)
        var outcomes = await Task.WhenAll(grains.SelectMany(key => new[] { remote }.Select(async via =>
        {
            try
            {
                await via.Client.GetGrain<IProfileGrain>(key).Rename("after");
                return (via.Region, Key: key, Error: (Exception?)null);
            }
            catch (Exception exception)
            {
                return (via.Region, Key: key, Error: exception);
            }
        })));

        // Answered, or refused with a typed error (a forwarding region whose link to us-east broke says so); never the
        // caller's own response timeout.
        Assert.All(outcomes, o => Assert.True(o.Error is null or RegionUnreachableException,
            $"{o.Key} via {o.Region}: {o.Error?.GetType().Name}: {o.Error?.Message}"));

        // And the region takes the writes again: from each region, through the surviving silo.
        foreach (var key in grains)
        {
            foreach (var via in new[] { local, remote })
            {
                await Eventually.Succeeds(() => via.Client.GetGrain<IProfileGrain>(key).Rename("again"), TimeSpan.FromSeconds(60), $"{key} written via {via.Region}");
            }
        }
    }

    private async Task<RegionClient> ClientAsync(RegionId region)
    {
        var host = new HostBuilder()
            .UseOrleansClient(c => c
                .UseStaticClustering([.. Geo.Topology[region].Gateways])
                .Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = Geo[region].ClusterId;
                    o.ServiceId = Geo.ServiceId;
                })
                .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = Bound)
                .AddGeoGrainsClient())
            .Build();
        await host.StartAsync();
        return new RegionClient(region, host);
    }

    private sealed class RegionClient(RegionId region, IHost host) : IAsyncDisposable
    {
        public RegionId Region { get; } = region;

        public IClusterClient Client => host.Services.GetRequiredService<IClusterClient>();

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync(TimeSpan.FromSeconds(5));
            host.Dispose();
        }
    }
}
