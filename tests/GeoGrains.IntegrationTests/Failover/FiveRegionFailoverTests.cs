using GeoGrains.Configuration;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Topology;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// Five regions, two of which fail one after the other: the second may be a successor of the first, so its share of
/// the first region's grains moves on to a third region (takeovers chain). Writes resume after each failure, no
/// acknowledged <c>Sync</c> write is lost, every region, the returned ones too, serves the same version of every
/// grain, and the returned regions route strong reads to the new owners.
/// </summary>
public sealed class FiveRegionFailoverTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly RegionId[] Regions = ["us-east", "eu-west", "apac-east", "us-west", "sa-east"];

    private GeoTestCluster _geo = null!;

    public async Task InitializeAsync()
    {
        var options = new GeoTopologyOptions();
        foreach (var region in Regions)
        {
            options.Regions.Add(new RegionOptions { Id = region.Value, Jurisdiction = "ANY" });
        }

        for (var a = 0; a < Regions.Length; a++)
        {
            for (var b = a + 1; b < Regions.Length; b++)
            {
                options.RoundTrips.Add(new RoundTripOptions { Between = Regions[a].Value, And = Regions[b].Value, Milliseconds = 20 + 10 * (a + b) });
            }
        }

        _geo = await new GeoTestClusterBuilder()
            .WithTopology(GeoTopology.FromOptions(options))
            .WithCallTimeout(TimeSpan.FromSeconds(2))
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o => FailoverFixture.Configure(o)))
            .StartAsync();
    }

    public async Task DisposeAsync() => await _geo.DisposeAsync();

    [Fact]
    public async Task Two_regions_failing_one_after_the_other_lose_no_sync_write_and_every_region_converges()
    {
        var keys = new[] { "us-east", "eu-west", "apac-east" }.SelectMany(home => Enumerable.Range(0, 2).Select(i => $"{home}/five-{i}-{Guid.NewGuid():N}")).ToList();
        var clients = new AppendWriters(_geo.Client);
        var acknowledged = clients.Acknowledged;
        using var stop = new CancellationTokenSource();
        var writers = keys.Select((key, k) => clients.RunAsync(key, k % 2 == 0 ? "apac-east" : "sa-east", Durability.Sync, k * 10_000, stop.Token)).ToList();

        await Eventually.Holds(() => keys.All(key => acknowledged.Count(a => a.Key == key) >= 2), Timeout, "every grain takes writes");
        await _geo.KillRegionAsync("us-east");
        var firstKill = DateTimeOffset.UtcNow;
        await Eventually.Holds(() => keys.All(key => acknowledged.Count(a => a.Key == key && a.At > firstKill) >= 2), Timeout, "writes resume after us-east fails");

        await _geo.KillRegionAsync("eu-west");
        var secondKill = DateTimeOffset.UtcNow;
        await Eventually.Holds(() => keys.All(key => acknowledged.Count(a => a.Key == key && a.At > secondKill) >= 2), Timeout, "writes resume after eu-west fails too");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        // Grains of both failed regions, and those the first failure gave to the second, are owned by the three left.
        foreach (var key in keys)
        {
            var owner = await _geo.Client("apac-east").GetOwnerAsync(_geo.Client("apac-east").GetGrain<IProfileGrain>(key));
            Assert.Contains(owner.Owner, new RegionId[] { "apac-east", "us-west", "sa-east" });
        }

        await _geo.RestartRegionAsync("us-east");
        await _geo.RestartRegionAsync("eu-west");
        // Every acknowledged write is in the owner's state; every region, the returned ones too, serves that version, and
        // the returned ones route strong reads to it.
        foreach (var key in keys)
        {
            var state = await clients.StrongReadAsync("apac-east", key);
            clients.AssertNothingLostOrDoubled(key, state);
            foreach (var region in Regions)
            {
                await Eventually.Succeeds(async () =>
                {
                    var local = await _geo.Client(region).GetGrain<IProfileGrain>(key).Get();
                    return local.Version == state.Version && local.History.SequenceEqual(state.History)
                        ? local
                        : throw new InvalidOperationException($"{region} serves version {local.Version} of '{key}', the owner {state.Version}");
                }, Timeout, $"{region} converges on '{key}'");
            }

            foreach (var region in new RegionId[] { "us-east", "eu-west" })
            {
                var routed = await Eventually.Succeeds(() => clients.StrongReadAsync(region, key), Timeout, $"a strong read through {region}");
                Assert.True(routed.Version >= state.Version, $"{region} routed a strong read of '{key}' to version {routed.Version}, below {state.Version}");
            }
        }
    }
}
