using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.GeoGrains;

/// <summary>Acknowledged changes survive the loss of every silo of their home region. Its own cluster: it kills a region.</summary>
public sealed class ReplicationDurabilityTests(LifecycleClusterFixture fixture) : IClassFixture<LifecycleClusterFixture>
{
    private static readonly TimeSpan ReplicationTimeout = TimeSpan.FromSeconds(60);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task Every_acknowledged_change_reaches_the_other_regions_after_the_home_region_is_killed_and_restarted()
    {
        var keys = Enumerable.Range(0, 10).Select(i => $"us-east/{Guid.NewGuid():N}-{i}").ToList();

        // Drop what us-east ships first so that nothing arrives before the crash: every change is still in the outbox.
        // (Only replication: cut off entirely, us-east would stop writing once its lease lapsed.)
        Geo.Network.Drop<IReplicationReceiverGrain>("us-east", "eu-west");
        Geo.Network.Drop<IReplicationReceiverGrain>("us-east", "apac-east");
        var acknowledged = new Dictionary<string, long>();
        foreach (var round in Enumerable.Range(0, 5))
        {
            foreach (var key in keys)
            {
                acknowledged[key] = (await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Append(round)).Version;
            }
        }

        Assert.Equal(keys.Count, await Geo["us-east"].CountPendingChangesAsync());
        await Geo.KillRegionAsync("us-east");
        Geo.Heal();
        await Geo.RestartRegionAsync("us-east");

        foreach (var region in new RegionId[] { "eu-west", "apac-east" })
        {
            await Eventually.Succeeds(async () =>
            {
                foreach (var key in keys)
                {
                    var view = await Geo.Client(region).GetGrain<IProfileGrain>(key).Get();
                    if (view.Version != acknowledged[key])
                    {
                        throw new InvalidOperationException($"{region} has {key} at version {view.Version}, not {acknowledged[key]}");
                    }
                }

                return true;
            }, ReplicationTimeout, $"{region} receives every acknowledged change");

            Assert.Equal(Enumerable.Range(0, 5), (await Geo.Client(region).GetGrain<IProfileGrain>(keys[3]).Get()).History);
        }

        await Eventually.Succeeds(
            async () => await Geo["us-east"].CountPendingChangesAsync() > 0 ? throw new InvalidOperationException("outbox not empty yet") : true,
            ReplicationTimeout, "the outbox empties once every region acknowledged");
    }
}
