using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// A Sync write still waiting for its acknowledgement when its region gives the grain back (<c>RestoreRegionAsync</c>):
/// the configuration change fences it, so it fails typed, or it is in the restored owner's state.
/// </summary>
public sealed class WriteAcrossRestoreTests(FailoverFixture fixture) : IClassFixture<FailoverFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly RegionId[] Others = ["eu-west", "apac-east"];

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task A_slow_sync_write_across_a_restore_fails_typed_or_is_in_the_restored_owners_state()
    {
        var key = $"us-east/slow-{Guid.NewGuid():N}";
        using (GeoContext.Write(Durability.Sync))
        {
            await Geo.Client(UsEast).GetGrain<IProfileGrain>(key).Append(0);
        }

        await Geo.Client(Others[0]).DrainRegionAsync(UsEast);
        var successor = (await Eventually.Succeeds(async () =>
        {
            var owner = await Geo.Client(Others[0]).GetOwnerAsync(Geo.Client(Others[0]).GetGrain<IProfileGrain>(key));
            return owner.Owner != UsEast ? owner : throw new InvalidOperationException("still owned by us-east");
        }, Timeout, "the grain moves off the drained region")).Owner;
        var third = Others.Single(r => r != successor);

        // The successor's first write after the drain reads the grain from the other regions; done before the fault below.
        await Eventually.Succeeds(async () =>
        {
            using var scope = GeoContext.Write(Durability.Sync);
            return await Geo.Client(successor).GetGrain<IProfileGrain>(key).Append(-1);
        }, Timeout, "a write at the successor");

        // The successor's only eligible acknowledgement (us-east is away) cannot arrive until the restore is decided.
        Geo.Network.Drop<IReplicationReceiverGrain>(successor, third);
        Exception? failure;
        try
        {
            Task<WriteReceipt> slow;
            using (GeoContext.Write(Durability.Sync.WithTimeout(TimeSpan.FromSeconds(20))))
            {
                slow = Geo.Client(successor).GetGrain<IProfileGrain>(key).Append(1);
            }

            await Geo.Client(third).RestoreRegionAsync(UsEast);
            await Eventually.Succeeds(async () =>
            {
                var owner = await Geo.Client(successor).GetOwnerAsync(Geo.Client(successor).GetGrain<IProfileGrain>(key));
                return owner.Owner == UsEast ? owner : throw new InvalidOperationException($"{successor} still routes to {owner}");
            }, Timeout, $"{successor} learns the restore");
            Geo.Heal();
            failure = await SyncOutcome.Of(slow);
        }
        finally
        {
            Geo.Heal();
        }

        var state = await SyncOutcome.StrongReadAsync(Geo, UsEast, key);
        Assert.Equal(UsEast, state.ServedBy);
        Assert.Contains(0, state.History);
        if (failure is null)
        {
            Assert.True(state.History.Contains(1), $"the Sync write of 1 was acknowledged, yet the restored owner's state is [{string.Join(", ", state.History)}]");
        }
    }
}
