using System.Text;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.ActiveActive;

/// <summary>
/// The conflict feed queried by time on three real regions: last-writer-wins losers of an active-active grain and a
/// single-owner grain's reconciliation, made at known times, are listed across grains in a window covering them (each
/// once, oldest first, at most the limit) and not in one that does not; bad queries and bad active-active declarations
/// are refused with typed errors naming the problem.
/// </summary>
[Collection(ActiveActiveCollection.Name)]
public sealed class ConflictFeedTests(ActiveActiveFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task Losing_writes_and_a_reconciliation_are_listed_by_time_across_grains_within_the_window_and_not_outside_it()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var before = DateTimeOffset.UtcNow;

        // Last writer wins: three regions set the flag while cut off from each other; two writes lose once healed.
        var flag = Geo.Client(UsEast).GetGrain<IGeoFlagGrain>($"feed-flag-{run}");
        fixture.PartitionAll();
        try
        {
            foreach (var region in ActiveActiveFixture.Regions)
            {
                await Geo.Client(region).GetGrain<IGeoFlagGrain>($"feed-flag-{run}").Set($"{region}-{run}");
            }
        }
        finally
        {
            Geo.Heal();
        }

        // Every region has resolved all it will once each stores the same version, which has seen all three writes.
        await Eventually.Succeeds(async () =>
        {
            var stored = new List<string>();
            foreach (var region in ActiveActiveFixture.Regions)
            {
                var record = (await Geo[region].Store.ReadAsync(flag.GetGrainId()))?.Record;
                stored.Add($"{record?.Vector} {(record is null ? "" : Encoding.UTF8.GetString(record.State))}");
            }

            return stored.Distinct().Count() == 1 && stored[0].Contains("us-east:1", StringComparison.Ordinal)
                && stored[0].Contains("eu-west:1", StringComparison.Ordinal) && stored[0].Contains("apac-east:1", StringComparison.Ordinal)
                ? true : throw new InvalidOperationException($"regions store {string.Join(" / ", stored)}");
        }, Timeout, "every region stores the flag's resolution of all three writes");
        var losses = await Geo.Client(EuWest).GetConflictsAsync(flag);
        Assert.Equal(2, losses.Select(c => c.Loser!.StateJson).Distinct().Count());

        // A failover's reconciliation, made on purpose: a profile moved from us-east to eu-west, which wrote under the
        // new epoch; then a version us-east committed under the old epoch and never shipped reaches eu-west.
        var key = $"us-east/feed-{run}";
        var profile = Geo.Client(UsEast).GetGrain<IProfileGrain>(key);
        await profile.Rename("before the move");
        var oldEpoch = (await Geo.Client(UsEast).GetOwnerAsync(profile)).Epoch;
        var shipped = (await Geo[UsEast].Store.ReadAsync(profile.GetGrainId()))!.Record;
        await Geo.Client(UsEast).RehomeAsync(profile, EuWest);
        await Geo.Client(EuWest).GetGrain<IProfileGrain>(key).Rename("after the move");
        var orphan = new GeoGrainVersion(oldEpoch, shipped.Version + 1, UsEast, new HybridTimestamp(shipped.CommittedAt.PhysicalMilliseconds + 1, 0),
            Encoding.UTF8.GetString(shipped.State));
        var reconciled = await Geo.Client(EuWest).GetGrain<IProfileGrain>(key).AsReference<IGeoGrainControl>().Reconcile(orphan);
        Assert.NotNull(reconciled);
        Assert.Equal((ReconciliationOutcome.KeptCurrent, EuWest), (reconciled.Outcome, reconciled.ResolvedIn));
        var after = DateTimeOffset.UtcNow;

        // The window covering them lists every one, once, oldest first, whichever region is asked.
        var feed = await Geo.Client(ApacEast).GetConflictsAsync(before, after, ConflictFeed.MaxLimit);
        Assert.Equal(feed.OrderBy(r => r.ResolvedAt), feed);
        Assert.Equal(feed.Count, feed.DistinctBy(r => (r.Grain, r.Id)).Count());
        Assert.All(feed, r => Assert.InRange(r.ResolvedAt.WallClock, before.AddMilliseconds(-1), after));
        Assert.Equal(losses, feed.Where(r => r.Grain.Equals(flag.GetGrainId())));
        Assert.All(losses, r => Assert.Equal((ConflictPolicy.LastWriterWins, ConflictOutcome.LastWriterWon), (r.Policy, r.Outcome)));
        var reconciliation = Assert.Single(feed, r => r.Grain.Equals(profile.GetGrainId()));
        Assert.Equal($"reconcile:{oldEpoch}.{shipped.Version + 1}", reconciliation.Id);
        Assert.Equal((ConflictPolicy.Reconcile, ConflictOutcome.KeptCurrent, reconciled.ResolvedAt), (reconciliation.Policy, reconciliation.Outcome, reconciliation.ResolvedAt));
        Assert.Equal(orphan.StateJson, reconciliation.Loser!.StateJson);
        var ours = new[] { flag.GetGrainId(), profile.GetGrainId() };
        Assert.Equal(feed.Where(r => ours.Contains(r.Grain)),
            (await Geo.Client(UsEast).GetConflictsAsync(before, after, ConflictFeed.MaxLimit)).Where(r => ours.Contains(r.Grain)));

        // Windows before and after them list none of them.
        Assert.DoesNotContain(await Geo.Client(EuWest).GetConflictsAsync(before.AddHours(-1), before, ConflictFeed.MaxLimit), r => ours.Contains(r.Grain));
        Assert.DoesNotContain(await Geo.Client(EuWest).GetConflictsAsync(after, after.AddHours(1), ConflictFeed.MaxLimit), r => ours.Contains(r.Grain));

        // To the millisecond: a record is in [its time, its time + 1 ms) and not in the window that ends at its time.
        var at = reconciliation.ResolvedAt.WallClock;
        Assert.Contains(reconciliation, await Geo.Client(EuWest).GetConflictsAsync(at, at.AddMilliseconds(1), ConflictFeed.MaxLimit));
        Assert.DoesNotContain(reconciliation, await Geo.Client(EuWest).GetConflictsAsync(at.AddSeconds(-10), at, ConflictFeed.MaxLimit));

        // The limit keeps the oldest.
        Assert.Equal(feed.Take(1), await Geo.Client(EuWest).GetConflictsAsync(before, after, 1));
        Assert.Equal(feed.Take(2), await Geo.Client(EuWest).GetConflictsAsync(before, after, 2));

        // Per grain, narrowed to a window.
        Assert.Equal(losses, await Geo.Client(UsEast).GetConflictsAsync(flag, before, after));
        Assert.Empty(await Geo.Client(UsEast).GetConflictsAsync(flag, after, after.AddHours(1)));
        Assert.Equal([reconciliation], await Geo.Client(UsEast).GetConflictsAsync(profile, before, after));
    }

    [Fact]
    public async Task A_query_with_an_empty_window_or_a_limit_out_of_range_is_refused_naming_the_argument()
    {
        var now = DateTimeOffset.UtcNow;
        var client = Geo.Client(EuWest);
        var flag = client.GetGrain<IGeoFlagGrain>("feed-args");

        // Checked by the client before any call: thrown synchronously, nothing sent.
        Assert.Equal("to", Assert.Throws<ArgumentOutOfRangeException>(() => { _ = client.GetConflictsAsync(now, now, 10); }).ParamName);
        Assert.Equal("limit", Assert.Throws<ArgumentOutOfRangeException>(() => { _ = client.GetConflictsAsync(now, now.AddHours(1), 0); }).ParamName);
        Assert.Equal("limit", Assert.Throws<ArgumentOutOfRangeException>(() => { _ = client.GetConflictsAsync(now, now.AddHours(1), ConflictFeed.MaxLimit + 1); }).ParamName);
        Assert.Equal("to", Assert.Throws<ArgumentOutOfRangeException>(() => { _ = client.GetConflictsAsync(flag, now, now.AddHours(-1)); }).ParamName);

        // And by the admin grain, for a caller that asks it directly.
        var admin = client.GetGrain<IGeoAdminGrain>(0);
        var window = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => admin.GetConflicts(now, now.AddHours(-1), 10));
        Assert.Contains("'to'", window.Message, StringComparison.Ordinal);
        var limit = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => admin.GetConflicts(now, now.AddHours(1), -5));
        Assert.Contains($"1 to {ConflictFeed.MaxLimit}", limit.Message, StringComparison.Ordinal);
        Assert.Contains("'limit'", limit.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => admin.GetConflicts(flag.GetGrainId(), now, now));
    }

    [Theory]
    [InlineData(typeof(PlainStateCrdtGrain), "its conflict policy is Crdt, but its state Plain does not implement ICrdt<Plain>")]
    [InlineData(typeof(MergelessCustomGrain), "its conflict policy is Custom, but it does not override MergeConcurrent")]
    public async Task A_grain_whose_policy_does_not_fit_its_class_refuses_its_first_call_naming_the_problem(Type grainClass, string problem)
    {
        var grain = Geo.Client(EuWest).GetGrain<IMisdeclaredActiveActiveGrain>($"misdeclared-{Guid.NewGuid():N}", grainClass.FullName);

        var error = await Assert.ThrowsAsync<GeoGrainNotRegisteredException>(() => grain.Set(1));

        Assert.Equal(grainClass.FullName, error.GrainType);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
