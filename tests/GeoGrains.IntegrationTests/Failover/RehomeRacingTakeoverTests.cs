using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Testing;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// A planned move of a grain racing a takeover of its owner region: us-east hands the grain to apac-east, the hand-over
/// never reaches apac-east (us-east steps down, the move in doubt), and us-east is cut off and taken over. Whichever
/// decision wins, the grain keeps one owner that takes writes once the regions reconnect (the move's lower epoch must
/// not wedge it), and no acknowledged Sync write is missing from its state.
/// </summary>
public sealed class RehomeRacingTakeoverTests(FailoverFixture fixture) : IClassFixture<FailoverFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task A_move_in_doubt_when_its_region_is_taken_over_leaves_one_owner_that_takes_writes_and_loses_nothing()
    {
        var key = $"us-east/race-{Guid.NewGuid():N}";
        var acknowledged = new List<int>();
        await SyncAppendAsync(UsEast, key, 0, acknowledged);

        Geo.Network.Drop<IOwnershipDirectoryGrain>(UsEast, ApacEast);
        try
        {
            var inDoubt = await Assert.ThrowsAsync<RegionUnreachableException>(() => Geo.Client(UsEast).RehomeAsync(Geo.Client(UsEast).GetGrain<IProfileGrain>(key), ApacEast));
            Assert.Contains("in doubt", inDoubt.Message, StringComparison.Ordinal);
            Geo.Isolate(UsEast);

            // The others take us-east's grains over; a Sync write lands at whichever region the two of them agree owns it.
            await Eventually.Succeeds(() => SyncAppendAsync(EuWest, key, 1, acknowledged), Timeout, "a Sync write while us-east is cut off");
        }
        finally
        {
            Geo.Heal();
        }

        // Reconnected, the directories converge on one owner, and every region's writes reach it.
        foreach (var (via, item) in new[] { (UsEast, 2), (EuWest, 3), (ApacEast, 4) })
        {
            await Eventually.Succeeds(() => SyncAppendAsync(via, key, item, acknowledged), Timeout, $"a Sync write through {via} after healing");
        }

        var owners = new HashSet<RegionId>();
        foreach (var via in new[] { UsEast, EuWest, ApacEast })
        {
            var state = await SyncOutcome.StrongReadAsync(Geo, via, key);
            owners.Add(state.ServedBy);
            Assert.All(acknowledged, item => Assert.Contains(item, state.History));
        }

        Assert.Single(owners);
    }

    // Appends `item` as a Sync write through `via`; records it as acknowledged only if the call succeeds.
    private async Task<WriteReceipt> SyncAppendAsync(RegionId via, string key, int item, List<int> acknowledged)
    {
        using var scope = GeoContext.Write(Durability.Sync);
        var receipt = await Geo.Client(via).GetGrain<IProfileGrain>(key).Append(item);
        lock (acknowledged)
        {
            acknowledged.Add(item);
        }

        return receipt;
    }
}
