using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Storage;

/// <summary>
/// What a region keeps when every silo of it is killed while its storage stays up: acknowledged state, replica state,
/// the pending outbox and the directory's epochs. Each backend runs it on its own cluster (these tests kill regions).
/// </summary>
public abstract class RegionRestartContract
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected abstract GeoTestCluster Geo { get; }

    [Fact]
    public async Task Everything_a_killed_region_acknowledged_or_replicated_is_there_after_restart_and_every_region_converges()
    {
        var replicated = $"eu-west/{Guid.NewGuid():N}";
        var moved = $"us-east/{Guid.NewGuid():N}";
        var unshipped = Enumerable.Range(0, 6).Select(i => $"us-east/{Guid.NewGuid():N}-{i}").ToList();

        // us-east holds a replica of an eu-west grain, and a grain moved to apac-east under a new epoch.
        await Geo.Client("eu-west").GetGrain<IProfileGrain>(replicated).Append(7);
        await Geo.Client("us-east").GetGrain<IProfileGrain>(moved).Append(1);
        var movedTo = await Geo.Client("us-east").RehomeAsync(Geo.Client("us-east").GetGrain<IProfileGrain>(moved), "apac-east");
        await Geo.WaitForReplicationAsync(Timeout);

        // Cut off, us-east acknowledges writes that cannot ship: they are in its outbox when it dies.
        Geo.Isolate("us-east");
        foreach (var key in unshipped)
        {
            await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Append(1);
            await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Append(2);
        }

        Assert.Equal(unshipped.Count, await Geo["us-east"].CountPendingChangesAsync());
        await Geo.KillRegionAsync("us-east");
        var sentBefore = Geo.Regions.Where(r => r != "us-east").ToDictionary(r => r, r => Geo.Replication.Get("us-east", r).ChangesAcknowledged);
        await Geo.RestartRegionAsync("us-east");

        // Still isolated: what us-east answers comes from its own storage.
        var replica = await Geo.Client("us-east").GetGrain<IProfileGrain>(replicated).Get();
        Assert.True(replica.History.SequenceEqual([7]), "the replica state of an eu-west grain was lost");
        var owner = await Geo.Client("us-east").GetOwnerAsync(Geo.Client("us-east").GetGrain<IProfileGrain>(moved));
        Assert.Equal(movedTo, owner);
        Assert.Equal(unshipped.Count, await Geo["us-east"].CountPendingChangesAsync());

        Geo.Heal();
        foreach (var region in Geo.Regions)
        {
            await Eventually.Succeeds(async () =>
            {
                foreach (var key in unshipped)
                {
                    var view = await Geo.Client(region).GetGrain<IProfileGrain>(key).Get();
                    if (!view.History.SequenceEqual([1, 2]))
                    {
                        throw new InvalidOperationException($"{region} has {key} as [{string.Join(",", view.History)}]");
                    }
                }

                return true;
            }, Timeout, $"{region} holds every change us-east acknowledged before it died");
        }

        await Geo.WaitForReplicationAsync(Timeout);

        // One silo resumed each pending grain, once: each region acknowledged the latest version of each once (a send that
        // failed and was retried is not counted twice, two silos resuming the same grain would be).
        foreach (var (region, before) in sentBefore)
        {
            Assert.Equal(unshipped.Count, Geo.Replication.Get("us-east", region).ChangesAcknowledged - before);
        }
    }

    [Fact]
    public async Task Changes_shipped_but_not_acknowledged_before_a_crash_are_shipped_again_and_not_applied_twice()
    {
        var keys = Enumerable.Range(0, 5).Select(i => $"us-east/{Guid.NewGuid():N}-{i}").ToList();
        var others = Geo.Regions.Where(r => r != "us-east").ToList();

        // The receivers apply, but their acknowledgements never reach us-east: the outbox keeps every marker.
        foreach (var other in others)
        {
            Geo.Network.Drop<IReplicationReceiverGrain>(other, "us-east");
        }

        try
        {
            foreach (var key in keys)
            {
                await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Append(1);
            }

            foreach (var other in others)
            {
                await Eventually.Succeeds(async () =>
                {
                    foreach (var key in keys)
                    {
                        if ((await Geo.Client(other).GetGrain<IProfileGrain>(key).Get()).Version != 1)
                        {
                            throw new InvalidOperationException($"{other} lacks {key}");
                        }
                    }

                    return true;
                }, Timeout, $"{other} applies every change");
            }

            Assert.Equal(keys.Count, await Geo["us-east"].CountPendingChangesAsync());
            await Geo.KillRegionAsync("us-east");
        }
        finally
        {
            Geo.Heal();
        }

        var before = others.ToDictionary(r => r, r => Geo.Replication.Get("us-east", r));
        await Geo.RestartRegionAsync("us-east");
        await Geo.WaitForReplicationAsync(Timeout);

        foreach (var other in others)
        {
            var after = Geo.Replication.Get("us-east", other);
            Assert.Equal(keys.Count, after.ChangesAcknowledged - before[other].ChangesAcknowledged);
            Assert.Equal(0, after.ChangesApplied - before[other].ChangesApplied);
            foreach (var key in keys)
            {
                var view = await Geo.Client(other).GetGrain<IProfileGrain>(key).Get();
                Assert.True(view.History.SequenceEqual([1]), $"{other}: {key} is [{string.Join(",", view.History)}]");
            }
        }
    }
}

/// <summary>The contract on in-memory accounts.</summary>
public sealed class MemoryRegionRestartTests(LifecycleClusterFixture fixture) : RegionRestartContract, IClassFixture<LifecycleClusterFixture>
{
    protected override GeoTestCluster Geo => fixture.Geo;
}

/// <summary>Three regions on Azurite with two silos each, for the restart contract; its own cluster (it kills regions).</summary>
public sealed class AzureLifecycleClusterFixture : IAsyncLifetime
{
    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Geo = await new GeoTestClusterBuilder().WithAzureStorage().WithSilosPerRegion(2).WithCallTimeout(LifecycleClusterFixture.CallTimeout).StartAsync();

    public async Task DisposeAsync() => await Geo.DisposeAsync();
}

/// <summary>The contract on Azurite: every silo of the region is killed, its Azurite stays up as a storage account would.</summary>
public sealed class AzureRegionRestartTests(AzureLifecycleClusterFixture fixture) : RegionRestartContract, IClassFixture<AzureLifecycleClusterFixture>
{
    protected override GeoTestCluster Geo => fixture.Geo;
}
