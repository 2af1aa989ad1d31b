using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// Regional failover on three real regions: a killed region's grains (its home grains and grains rehomed to it) move to
/// successors under a higher epoch, writes resume there, and no acknowledged <c>Sync</c> or <c>SemiSync</c> write is lost;
/// the region returns fenced, routing to the new owners.
/// </summary>
public sealed class FailoverTests(FailoverFixture fixture) : IClassFixture<FailoverFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly RegionId UsEast = "us-east";
    private static readonly RegionId EuWest = "eu-west";
    private static readonly RegionId ApacEast = "apac-east";

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task A_killed_regions_grains_move_to_successors_and_no_acknowledged_sync_or_semisync_write_is_lost()
    {
        var keys = Enumerable.Range(0, 4).Select(i => $"us-east/kill-{i}-{Guid.NewGuid():N}").ToList();
        var rehomed = $"eu-west/kill-rehomed-{Guid.NewGuid():N}";
        await Geo.Client(EuWest).GetGrain<IProfileGrain>(rehomed).Append(-1);
        await Geo.Client(EuWest).RehomeAsync(Geo.Client(EuWest).GetGrain<IProfileGrain>(rehomed), UsEast);
        keys.Add(rehomed);

        var clients = new AppendWriters(Geo.Client);
        var acknowledged = clients.Acknowledged;
        using var stop = new CancellationTokenSource();
        var writers = keys.SelectMany((key, k) => new[] { EuWest, ApacEast }.Select((via, w) => clients.RunAsync(key, via, (k + w) % 2 == 0 ? Durability.Sync : Durability.SemiSync(1), k * 1000 + w * 100_000, stop.Token))).ToList();

        // Every grain takes writes at us-east, then us-east dies.
        await Eventually.Holds(() => keys.All(key => acknowledged.Count(a => a.Key == key) >= 2), Timeout, "every grain acknowledged writes before the kill");
        await Geo.KillRegionAsync(UsEast);
        var killedAt = DateTimeOffset.UtcNow;

        // Writes resume elsewhere for every grain, the rehomed one included.
        await Eventually.Holds(() => keys.All(key => acknowledged.Count(a => a.Key == key && a.At > killedAt && a.ExecutedIn != UsEast) >= 3), Timeout, "writes resume in successors");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var timeline = await Geo.Client(EuWest).GetGrain<IRegionHealthGrain>(0).GetTimeline();
        var transfer = Assert.Single(timeline, e => e.Subject == UsEast && e.Change == RegionHealthChange.OwnershipTransferred);
        Assert.Contains(timeline, e => e.Subject == UsEast && e.Change == RegionHealthChange.DeclaredDown && e.At <= transfer.At);

        foreach (var key in keys)
        {
            var owner = await Geo.Client(EuWest).GetOwnerAsync(Geo.Client(EuWest).GetGrain<IProfileGrain>(key));
            Assert.NotEqual(UsEast, owner.Owner);
            Assert.True(owner.Epoch >= 1L << 32, $"'{key}' is owned under epoch {owner.Epoch}, not a takeover's");

            // Zero acknowledged writes lost: every one is in the new owner's state.
            clients.AssertNothingLostOrDoubled(key, await clients.StrongReadAsync(EuWest, key));
        }

        // Back, us-east learns the new owners before it writes anything: its writes go to them.
        await Geo.RestartRegionAsync(UsEast);
        var receipt = await Eventually.Succeeds(() => Geo.Client(UsEast).GetGrain<IProfileGrain>(keys[0]).Append(-2), Timeout, "a write through the restarted us-east");
        Assert.NotEqual(UsEast, receipt.ExecutedIn);
        var after = await clients.StrongReadAsync(UsEast, keys[0]);
        Assert.Empty(acknowledged.Where(a => a.Key == keys[0]).Select(a => a.Item).Except(after.History));

        // The returned region's replicas catch up with what the new owners wrote while it was down.
        foreach (var key in keys)
        {
            var owner = await clients.StrongReadAsync(EuWest, key);
            await Eventually.Succeeds(async () =>
            {
                var local = await Geo.Client(UsEast).GetGrain<IProfileGrain>(key).Get();
                var stored = (await Geo[UsEast].Store.ReadAsync(Geo.Client(UsEast).GetGrain<IProfileGrain>(key).GetGrainId()))?.Record;
                return local.Version >= owner.Version ? local : throw new InvalidOperationException(
                    $"us-east serves version {local.Version} of '{key}' (stored {stored?.Epoch}.{stored?.Version} by {stored?.CommittedIn}), the owner {owner.Version}");
            }, Timeout, $"us-east catches up on '{key}'");
        }
    }
}
