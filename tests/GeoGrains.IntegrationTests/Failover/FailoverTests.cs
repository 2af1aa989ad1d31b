using System.Text.Json;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// Regional failover on three real regions: a killed region's grains (its home grains and grains rehomed to it) move to
/// successors under a higher epoch, writes resume there, and no acknowledged <c>Sync</c> or <c>SemiSync</c> write is lost;
/// the region returns fenced, routing to the new owners, and hands over the <c>Async</c> writes it acknowledged and never
/// shipped, which end up in the owner's state or in a reconciliation record: none is lost silently.
/// </summary>
public sealed class FailoverTests(FailoverFixture fixture) : IClassFixture<FailoverFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task A_killed_regions_grains_move_to_successors_and_no_acknowledged_write_is_lost_silently()
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
        writers.AddRange(keys.Select((key, k) => clients.RunAsync(key, UsEast, Durability.Async, k * 1000 + 200_000, stop.Token)));

        // Every grain takes writes at us-east; its last Async writes never leave it (its replication is dropped); it dies.
        await Eventually.Holds(() => keys.All(key => acknowledged.Count(a => a.Key == key && a.Durability.Mode != ReplicationMode.Async) >= 2), Timeout, "every grain acknowledged writes before the kill");
        Geo.Network.Drop<IReplicationReceiverGrain>(UsEast, EuWest);
        Geo.Network.Drop<IReplicationReceiverGrain>(UsEast, ApacEast);
        var droppedAt = DateTimeOffset.UtcNow;
        await Eventually.Holds(() => keys.All(key => acknowledged.Count(a => a.Key == key && a.Durability.Mode == ReplicationMode.Async && a.At > droppedAt) >= 2), Timeout, "Async writes us-east never shipped");
        await Geo.KillRegionAsync(UsEast);
        var killedAt = DateTimeOffset.UtcNow;
        Geo.Heal();

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

            // Zero acknowledged Sync or SemiSync writes lost: every one is in the new owner's state.
            clients.AssertNothingLostOrDoubled(key, await clients.StrongReadAsync(EuWest, key), a => a.Durability.Mode != ReplicationMode.Async);
        }

        // Back, us-east learns the new owners before it writes anything: its writes go to them.
        await Geo.RestartRegionAsync(UsEast);
        var receipt = await Eventually.Succeeds(() => Geo.Client(UsEast).GetGrain<IProfileGrain>(keys[0]).Append(-2), Timeout, "a write through the restarted us-east");
        Assert.NotEqual(UsEast, receipt.ExecutedIn);
        var after = await clients.StrongReadAsync(UsEast, keys[0]);
        Assert.Empty(acknowledged.Where(a => a.Key == keys[0] && a.Durability.Mode != ReplicationMode.Async).Select(a => a.Item).Except(after.History));

        var reconciled = new Dictionary<string, IReadOnlyList<ReconciliationRecord>>();

        // Count the Async writes: each acknowledged one is in the owner's state or in an orphaned version recorded for the
        // grain, and us-east's unshipped ones were recorded for every grain.
        foreach (var key in keys)
        {
            var grain = Geo.Client(EuWest).GetGrain<IProfileGrain>(key);
            var records = await Eventually.Succeeds(async () =>
            {
                var state = await clients.StrongReadAsync(EuWest, key);
                var records = await Geo.Client(EuWest).GetReconciliationsAsync(grain);
                var recorded = records.SelectMany(r => JsonSerializer.Deserialize<Profile>(r.Orphaned.StateJson)!.History).ToHashSet();
                var lost = acknowledged.Where(a => a.Key == key && a.Durability.Mode == ReplicationMode.Async && !state.History.Contains(a.Item) && !recorded.Contains(a.Item)).ToList();
                return lost.Count == 0 ? records : throw new InvalidOperationException(
                    $"'{key}': {lost.Count} acknowledged Async writes neither in the state nor in {records.Count} records: {string.Join(", ", lost.Select(a => a.Item))}");
            }, Timeout, $"every acknowledged Async write of '{key}' accounted for");
            Assert.NotEmpty(records);
            Assert.All(records, r => Assert.Equal(UsEast, r.Origin));
            reconciled[key] = records;
        }

        // us-east gets its grains back; the records, kept where they were made, are still listed for each grain.
        await Geo.Client(EuWest).RestoreRegionAsync(UsEast);
        foreach (var key in keys)
        {
            var grain = Geo.Client(UsEast).GetGrain<IProfileGrain>(key);
            await Eventually.Succeeds(async () => (await Geo.Client(UsEast).GetOwnerAsync(grain)).Owner == UsEast
                ? true : throw new InvalidOperationException($"'{key}' is not owned by us-east yet"), Timeout, $"us-east owns '{key}' again");
            Assert.Equal(reconciled[key], await Geo.Client(UsEast).GetReconciliationsAsync(grain));
        }

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
