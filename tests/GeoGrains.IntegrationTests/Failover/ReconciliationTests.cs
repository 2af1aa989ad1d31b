using GeoGrains.Runtime.Storage;
using System.Text.Json;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;
using ReadLevel = GeoGrains.Consistency;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// Failback reconciliation on three real regions: us-east acknowledged <c>Async</c> writes it never shipped, was
/// isolated and taken over; when the network heals, those orphaned versions reach the new owners, which hand them to
/// the grain's reconcile hook and record them once. Zero acknowledged writes are lost silently.
/// </summary>
public sealed class ReconciliationTests(ReconciliationFixture fixture) : IClassFixture<ReconciliationFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task Every_acknowledged_async_write_is_in_the_new_owners_state_or_in_a_reconciliation_record()
    {
        var scenario = await fixture.Scenario;
        var key = scenario.Keys[ItemsKind.Keeping];
        var grain = fixture.Grain(EuWest, ItemsKind.Keeping, key);

        // Count them: every acknowledged item is in the owner's state or in an orphaned version recorded for the grain.
        var (state, records) = await Eventually.Succeeds(async () =>
        {
            var state = await StrongReadAsync(EuWest, ItemsKind.Keeping, key);
            var records = await Geo.Client(EuWest).GetReconciliationsAsync(grain);
            var recorded = records.SelectMany(r => ItemsOf(r.Orphaned)).ToHashSet();
            var lost = scenario.Acknowledged[ItemsKind.Keeping].Where(i => !state.Items.Contains(i) && !recorded.Contains(i)).ToList();
            return lost.Count == 0 ? (state, records) : throw new InvalidOperationException(
                $"not in the state ({string.Join(",", state.Items)}) nor in {records.Count} records: {string.Join(", ", lost)}");
        }, Timeout, "every acknowledged write of the keeping grain is accounted for");

        // The orphans were us-east's alone, and the default hook kept the owner's state.
        Assert.NotEmpty(records);
        Assert.All(scenario.Orphaned, item => Assert.DoesNotContain(item, state.Items));
        var owner = await Geo.Client(EuWest).GetOwnerAsync(grain);
        Assert.NotEqual(UsEast, owner.Owner);
        foreach (var record in records)
        {
            Assert.Equal(ReconciliationOutcome.KeptCurrent, record.Outcome);
            Assert.Null(record.Result);
            Assert.Equal(UsEast, record.Origin);
            Assert.Equal(owner.Owner, record.ResolvedIn);
            Assert.True(record.Orphaned.Epoch < record.Current.Epoch, $"orphan {record.Orphaned} is not of an older epoch than {record.Current}");
            Assert.True(record.Current.Epoch >= 1L << 32, $"the current version {record.Current} is not of a takeover's epoch");
            Assert.Contains(201, ItemsOf(record.Current));
        }

        // The same orphans are entries of the conflict feed, which lists every losing or merged write in one place.
        var conflicts = await Geo.Client(ApacEast).GetConflictsAsync(fixture.Grain(ApacEast, ItemsKind.Keeping, key));
        Assert.Equal(
            records.Select(r => $"reconcile:{r.Orphaned.Epoch}.{r.Orphaned.Version}").Order(),
            conflicts.Select(c => c.Id).Order());
        Assert.All(conflicts, c =>
        {
            Assert.Equal((ConflictPolicy.Reconcile, ConflictOutcome.KeptCurrent), (c.Policy, c.Outcome));
            Assert.Equal(UsEast, c.Loser!.CommittedIn);
            Assert.Equal(c.Local.StateJson, c.ResultJson);
        });

        // And by time, across grains: the window of their resolutions lists each of them once.
        var byTime = await Geo.Client(UsEast).GetConflictsAsync(
            conflicts.Min(c => c.ResolvedAt).WallClock, conflicts.Max(c => c.ResolvedAt).WallClock.AddMilliseconds(1), ConflictFeed.MaxLimit);
        Assert.Equal(conflicts, byTime.Where(c => c.Grain.Equals(grain.GetGrainId())));

        // Queryable from any region (asked of the owner through the links), and published once on the owner's stream.
        Assert.Equal(records, await Geo.Client(UsEast).GetReconciliationsAsync(fixture.Grain(UsEast, ItemsKind.Keeping, key)));
        foreach (var record in records)
        {
            await Eventually.Holds(() => fixture.Published.Any(p => Same(p, record)), Timeout, $"{record.Orphaned} of '{key}' on the stream");
        }
    }

    [Fact]
    public async Task A_merging_hook_ends_with_the_orphaned_items_merged_into_the_grain()
    {
        var scenario = await fixture.Scenario;
        var key = scenario.Keys[ItemsKind.Merging];
        var grain = fixture.Grain(EuWest, ItemsKind.Merging, key);

        var state = await Eventually.Succeeds(async () =>
        {
            var state = await StrongReadAsync(EuWest, ItemsKind.Merging, key);
            var missing = scenario.Acknowledged[ItemsKind.Merging].Except(state.Items).ToList();
            return missing.Count == 0 ? state : throw new InvalidOperationException($"missing {string.Join(", ", missing)} in {string.Join(",", state.Items)}");
        }, Timeout, "the merging grain holds every acknowledged item");
        Assert.All(scenario.Orphaned, item => Assert.Single(state.Items, item));

        // Each orphaned version (one, unless a batch left us-east between two of its writes) was merged as a new version.
        var records = await Geo.Client(ApacEast).GetReconciliationsAsync(fixture.Grain(ApacEast, ItemsKind.Merging, key));
        Assert.NotEmpty(records);
        Assert.All(records, record =>
        {
            Assert.Equal(ReconciliationOutcome.Merged, record.Outcome);
            Assert.NotNull(record.Result);
            Assert.Equal(record.Current.Epoch, record.Result.Epoch);
            Assert.True(record.Result.Version > record.Current.Version, $"merged as {record.Result}, not after {record.Current}");
            Assert.Superset(ItemsOf(record.Orphaned).ToHashSet(), ItemsOf(record.Result).ToHashSet());
        });
        // Each merge is in the conflict feed by time too, at the time its merged version was committed.
        var byTime = await Geo.Client(UsEast).GetConflictsAsync(
            records.Min(r => r.ResolvedAt).WallClock, records.Max(r => r.ResolvedAt).WallClock.AddMilliseconds(1), ConflictFeed.MaxLimit);
        Assert.Equal(
            records.Select(r => ($"reconcile:{r.Orphaned.Epoch}.{r.Orphaned.Version}", ConflictOutcome.Merged, r.Result!.CommittedAt)).Order(),
            byTime.Where(c => c.Grain.Equals(grain.GetGrainId())).Select(c => (c.Id, c.Outcome, c.ResolvedAt)).Order());
        var merged = records.MaxBy(r => r.Result!.Version)!;
        Assert.Superset(scenario.Orphaned.ToHashSet(), ItemsOf(merged.Result!).ToHashSet());

        // The merged version replicates like any write: us-east ends up serving it too.
        await Eventually.Succeeds(async () =>
        {
            var local = await fixture.Grain(UsEast, ItemsKind.Merging, key).Get();
            return local.Version >= merged.Result!.Version ? true : throw new InvalidOperationException($"us-east serves version {local.Version}");
        }, Timeout, "us-east holds the merged version");
    }

    [Fact]
    public async Task A_hook_that_throws_is_recorded_as_failed_and_the_grain_keeps_taking_writes()
    {
        var scenario = await fixture.Scenario;
        var key = scenario.Keys[ItemsKind.Failing];
        var grain = fixture.Grain(EuWest, ItemsKind.Failing, key);

        var failed = await Eventually.Succeeds(async () =>
        {
            var records = await Geo.Client(EuWest).GetReconciliationsAsync(grain);
            return records.Count > 0 ? records : throw new InvalidOperationException("no record yet");
        }, Timeout, "the failing grain's orphan is recorded");
        Assert.All(failed, record =>
        {
            Assert.Equal(ReconciliationOutcome.HookFailed, record.Outcome);
            Assert.Equal($"hook failed: {FailingItemsGrain.Message}", record.Detail);
            Assert.Null(record.Result);
        });
        Assert.Superset(scenario.Orphaned.ToHashSet(), failed.SelectMany(r => ItemsOf(r.Orphaned)).ToHashSet());

        // The current state stays, and the grain takes writes as before.
        var receipt = await fixture.Grain(ApacEast, ItemsKind.Failing, key).Add(301);
        Assert.NotEqual(UsEast, receipt.ExecutedIn);
        var state = await StrongReadAsync(EuWest, ItemsKind.Failing, key);
        Assert.Contains(301, state.Items);
        Assert.All(scenario.Orphaned, item => Assert.DoesNotContain(item, state.Items));
    }

    [Fact]
    public async Task An_orphan_delivered_again_is_neither_recorded_nor_merged_twice()
    {
        var scenario = await fixture.Scenario;
        foreach (var kind in new[] { ItemsKind.Keeping, ItemsKind.Merging })
        {
            var key = scenario.Keys[kind];
            var grain = fixture.Grain(EuWest, kind, key);
            var records = await Eventually.Succeeds(async () =>
            {
                var records = await Geo.Client(EuWest).GetReconciliationsAsync(grain);
                return records.Count > 0 ? records : throw new InvalidOperationException("no record yet");
            }, Timeout, $"an orphan of '{key}' is recorded");
            var before = await StrongReadAsync(EuWest, kind, key);

            // us-east's shipper and its hand-over before replacing its copy delivered each orphan at least twice already;
            // here each goes again, twice, to every region.
            var codec = fixture.Codec();
            var orphans = records.Select(r => new ReplicatedChange(grain.GetGrainId(), GeoRecord.Of(r.Orphaned))).ToArray();
            var batch = codec.Encode(UsEast, 1_000_000, orphans, compress: true, out _);
            foreach (var region in new[] { EuWest, ApacEast, EuWest, ApacEast })
            {
                var ack = await Geo.Client(region).GetGrain<IReplicationReceiverGrain>(0).Apply(batch);
                Assert.Equal(0, ack.Applied);
            }

            Assert.Equal(records, await Geo.Client(EuWest).GetReconciliationsAsync(grain));
            var after = await StrongReadAsync(EuWest, kind, key);
            Assert.Equal(before.Version, after.Version);
            Assert.Equal(before.Items.AsEnumerable(), after.Items.AsEnumerable());
            foreach (var record in records)
            {
                await Eventually.Holds(() => fixture.Published.Any(p => Same(p, record)), Timeout, $"{record.Orphaned} of '{key}' on the stream");
                Assert.Single(fixture.Published, p => Same(p, record));
            }
        }
    }

    private static bool Same(ReconciliationRecord a, ReconciliationRecord b) =>
        a.Grain.Equals(b.Grain) && a.Orphaned.Epoch == b.Orphaned.Epoch && a.Orphaned.Version == b.Orphaned.Version;

    private static IEnumerable<int> ItemsOf(GeoGrainVersion version) => JsonSerializer.Deserialize<Items>(version.StateJson)!.List;

    private async Task<ItemsView> StrongReadAsync(RegionId via, ItemsKind kind, string key)
    {
        using var scope = GeoContext.Read(ReadLevel.Strong);
        return await fixture.Grain(via, kind, key).Get();
    }
}
