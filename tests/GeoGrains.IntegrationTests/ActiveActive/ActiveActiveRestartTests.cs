using GeoGrains.Configuration;
using GeoGrains.Runtime.Storage;
using System.Text;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.ActiveActive;

/// <summary>
/// An active-active counter across a region's death: apac-east acknowledges increments it never ships, dies, the
/// others keep counting, and when apac-east restarts its outbox ships them and every region converges on the same
/// record holding every acknowledged increment. Its own cluster, since it kills a region.
/// </summary>
public sealed class ActiveActiveRestartTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly RegionId[] Regions = [UsEast, EuWest, ApacEast];

    private GeoTestCluster _geo = null!;

    public async Task InitializeAsync() =>
        _geo = await new GeoTestClusterBuilder()
            .WithCallTimeout(TimeSpan.FromSeconds(2))
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o => o.Failover.Automatic = false))
            .StartAsync();

    public async Task DisposeAsync() => await _geo.DisposeAsync();

    [Fact]
    public async Task Increments_a_region_acknowledged_before_it_died_reach_every_region_after_its_restart_and_all_converge()
    {
        var key = $"counter-restart-{Guid.NewGuid():N}";
        long acknowledged = 0;
        async Task AddAsync(RegionId region, int amount)
        {
            Assert.Equal(region, await _geo.Client(region).GetGrain<IGeoCounterGrain>(key).Add(amount));
            Interlocked.Add(ref acknowledged, amount);
        }

        await AddAsync(UsEast, 1);

        // apac-east's increments are acknowledged (durable in its storage) and never leave it before it dies.
        _geo.Network.Drop<IReplicationReceiverGrain>(ApacEast, UsEast);
        _geo.Network.Drop<IReplicationReceiverGrain>(ApacEast, EuWest);
        foreach (var amount in new[] { 100, 200, 300 })
        {
            await AddAsync(ApacEast, amount);
        }

        await _geo.KillRegionAsync(ApacEast);
        _geo.Heal();

        // The others keep counting, concurrently.
        await Task.WhenAll(
            Task.Run(async () => { foreach (var amount in new[] { 10, 20 }) { await AddAsync(UsEast, amount); } }),
            Task.Run(async () => { foreach (var amount in new[] { 1_000, 2_000 }) { await AddAsync(EuWest, amount); } }));

        await _geo.RestartRegionAsync(ApacEast);

        var grain = _geo.Client(UsEast).GetGrain<IGeoCounterGrain>(key).GetGrainId();
        await Eventually.Succeeds(async () =>
        {
            var records = new List<GeoRecord>();
            foreach (var region in Regions)
            {
                records.Add((await _geo[region].Store.ReadAsync(grain))?.Record ?? throw new InvalidOperationException($"{region} stores no record"));
            }

            var first = records[0];
            return first.Vector?.Entries.Length == 3 && records.All(r => r.State.AsSpan().SequenceEqual(first.State) && Equals(r.Vector, first.Vector))
                ? true
                : throw new InvalidOperationException(string.Join("; ", records.Zip(Regions).Select(x => $"{x.Second}: {x.First.Vector} {Encoding.UTF8.GetString(x.First.State)}")));
        }, Timeout, "every region stores the same record, with every region's writes");

        foreach (var region in Regions)
        {
            // The activation takes the stored record when told of it; wait for that, then it must be the full sum.
            var value = await Eventually.Succeeds(async () =>
            {
                var value = await _geo.Client(region).GetGrain<IGeoCounterGrain>(key).Get();
                return value >= acknowledged ? value : throw new InvalidOperationException($"{region} counts {value} of {acknowledged}");
            }, Timeout, $"{region} serves the converged counter");
            Assert.Equal(acknowledged, value);
        }
    }
}
