using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// The <c>Sync</c> promise against acknowledgements from a region that a takeover would not read (drained): such a
/// region does not count, so the write fails typed, and the new owner after the old one dies never lacks an
/// acknowledged write. Its own cluster: the test kills a region and drains another.
/// </summary>
public sealed class AwayAcknowledgementTests(FailoverFixture fixture) : IClassFixture<FailoverFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task Acknowledgements_from_a_drained_region_do_not_count_toward_a_sync_write()
    {
        var key = $"us-east/away-{Guid.NewGuid():N}";
        var viaUsEast = Geo.Client(UsEast).GetGrain<IProfileGrain>(key);
        using (GeoContext.Write(Durability.Sync))
        {
            await viaUsEast.Append(0);
        }

        await Geo.Client(EuWest).DrainRegionAsync(ApacEast);
        await Eventually.Succeeds(async () =>
        {
            var owner = await Geo.Client(UsEast).GetOwnerAsync(Geo.Client(UsEast).GetGrain<IProfileGrain>($"apac-east/drained-{Guid.NewGuid():N}"));
            return owner.Owner != ApacEast ? owner : throw new InvalidOperationException("us-east does not route apac-east's grains elsewhere yet");
        }, Timeout, "us-east knows apac-east is drained");

        Geo.Partition(UsEast, EuWest);
        Exception? failure;
        try
        {
            // Only apac-east can apply it, and a takeover of us-east would not read apac-east while it is drained.
            using var scope = GeoContext.Write(Durability.Sync.WithTimeout(TimeSpan.FromSeconds(3)));
            failure = await SyncOutcome.Of(viaUsEast.Append(1));
            await Geo.KillRegionAsync(UsEast);
        }
        finally
        {
            Geo.Heal();
        }

        try
        {
            var state = await SyncOutcome.StrongReadAsync(Geo, EuWest, key);
            Assert.Contains(0, state.History);
            if (failure is null)
            {
                Assert.True(state.History.Contains(1), $"the Sync write of 1 was acknowledged, yet the new owner's state is [{string.Join(", ", state.History)}]");
            }
            else
            {
                Assert.IsType<ReplicationIncompleteException>(failure);
            }
        }
        finally
        {
            await Geo.RestartRegionAsync(UsEast);
            await Geo.Client(EuWest).RestoreRegionAsync(ApacEast);
        }
    }
}
