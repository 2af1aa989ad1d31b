using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;
using ReadLevel = GeoGrains.Consistency;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// The <c>Sync</c> promise against a write racing a takeover of its region: it ends in a typed failure of the write or
/// in the write being in the new owner's state, never in an acknowledged write that the new owner lacks.
/// </summary>
public sealed class SyncWriteRacingTakeoverTests(FailoverFixture fixture) : IClassFixture<FailoverFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task A_sync_write_waiting_while_its_isolated_region_is_taken_over_fails_typed_or_survives_in_the_new_owner()
    {
        var key = $"us-east/probe-{Guid.NewGuid():N}";
        var viaUsEast = Geo.Client(UsEast).GetGrain<IProfileGrain>(key);
        using (GeoContext.Write(Durability.Sync))
        {
            await viaUsEast.Append(0);
        }

        Geo.Isolate(UsEast);
        Task<WriteReceipt> racing;
        using (GeoContext.Write(Durability.Sync.WithTimeout(TimeSpan.FromSeconds(25))))
        {
            racing = viaUsEast.Append(1);
        }

        try
        {
            // The others take the grain over and acknowledge a Sync write of their own.
            await Eventually.Succeeds(async () =>
            {
                using var scope = GeoContext.Write(Durability.Sync);
                var receipt = await Geo.Client(EuWest).GetGrain<IProfileGrain>(key).Append(2);
                return receipt.ExecutedIn != UsEast ? receipt : throw new InvalidOperationException($"executed in {receipt.ExecutedIn}");
            }, Timeout, "a Sync write at us-east's successor");
        }
        finally
        {
            Geo.Heal();
        }

        var outcome = await SyncOutcome.Of(racing);
        var state = await SyncOutcome.StrongReadAsync(Geo, EuWest, key);
        Assert.Contains(0, state.History);
        Assert.Contains(2, state.History);
        if (outcome is null)
        {
            Assert.True(state.History.Contains(1), $"the Sync write of 1 was acknowledged, yet the new owner's state is [{string.Join(", ", state.History)}]");
        }
    }
}
