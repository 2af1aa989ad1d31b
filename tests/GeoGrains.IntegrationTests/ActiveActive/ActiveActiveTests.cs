using GeoGrains.Runtime.Admin;
using GeoGrains.Runtime.Storage;
using System.Text;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;
using ReadLevel = GeoGrains.Consistency;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.ActiveActive;

/// <summary>
/// Active-active grains on three real regions: every region writes the same grains while all links are cut; once
/// healed, every region holds byte-identical records, counters hold every acknowledged increment, and each losing
/// write of last-writer-wins is in the conflict feed exactly once, also after its batch is delivered again.
/// </summary>
[Collection(ActiveActiveCollection.Name)]
public sealed partial class ActiveActiveTests(ActiveActiveFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly RegionId[] Regions = ActiveActiveFixture.Regions;

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task Counters_and_last_writer_wins_grains_written_in_three_partitioned_regions_converge_once_healed()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var counters = Enumerable.Range(0, 3).Select(i => $"counter-{run}-{i}").ToArray();
        var flags = Enumerable.Range(0, 2).Select(i => $"flag-{run}-{i}").ToArray();
        var acknowledged = counters.ToDictionary(c => c, _ => 0L);

        // Before the partition: every counter exists everywhere.
        foreach (var counter in counters)
        {
            await Geo.Client(UsEast).GetGrain<IGeoCounterGrain>(counter).Add(1);
            acknowledged[counter] += 1;
        }

        fixture.PartitionAll();
        try
        {
            // Every region writes every grain at local latency, at the same time, none of them reaching another.
            var written = await Task.WhenAll(Regions.Select(async (region, r) =>
            {
                var sums = counters.ToDictionary(c => c, _ => 0L);
                for (var round = 1; round <= 3; round++)
                {
                    foreach (var counter in counters)
                    {
                        var amount = (r + 1) * 10 + round;
                        Assert.Equal(region, await Geo.Client(region).GetGrain<IGeoCounterGrain>(counter).Add(amount));
                        sums[counter] += amount;
                    }
                }

                foreach (var flag in flags)
                {
                    Assert.Equal(region, await Geo.Client(region).GetGrain<IGeoFlagGrain>(flag).Set($"{region}-{run}"));
                }

                return sums;
            }));
            foreach (var sums in written)
            {
                foreach (var (counter, sum) in sums)
                {
                    acknowledged[counter] += sum;
                }
            }

            // Each region sees only its own writes meanwhile.
            Assert.Equal($"{EuWest}-{run}", await Geo.Client(EuWest).GetGrain<IGeoFlagGrain>(flags[0]).Get());
        }
        finally
        {
            Geo.Heal();
        }

        foreach (var counter in counters)
        {
            var grain = Geo.Client(UsEast).GetGrain<IGeoCounterGrain>(counter);
            await ConvergedAsync(grain.GetGrainId(), $"counter '{counter}'");
            foreach (var region in Regions)
            {
                Assert.Equal(acknowledged[counter], await Geo.Client(region).GetGrain<IGeoCounterGrain>(counter).Get());
            }
        }

        foreach (var flag in flags)
        {
            var grain = Geo.Client(UsEast).GetGrain<IGeoFlagGrain>(flag);
            var record = await ConvergedAsync(grain.GetGrainId(), $"flag '{flag}'");
            var winner = Encoding.UTF8.GetString(record.State);
            Assert.Equal($"{{\"Value\":\"{record.CommittedIn}-{run}\"}}", winner);
            foreach (var region in Regions)
            {
                Assert.Equal($"{record.CommittedIn}-{run}", await Geo.Client(region).GetGrain<IGeoFlagGrain>(flag).Get());
            }

            // The two other regions' writes lost: each is in the feed exactly once, as last-writer-wins losers.
            var losers = Regions.Where(r => r != record.CommittedIn).Select(r => $"{{\"Value\":\"{r}-{run}\"}}").Order().ToList();
            var conflicts = await Eventually.Succeeds(async () =>
            {
                var conflicts = await Geo.Client(ApacEast).GetConflictsAsync(grain);
                var lost = conflicts.Select(c => c.Loser?.StateJson ?? "").Order().ToList();
                return lost.SequenceEqual(losers) ? conflicts : throw new InvalidOperationException($"losers recorded: {string.Join(", ", lost)}");
            }, Timeout, $"both losers of '{flag}' in the conflict feed");
            Assert.All(conflicts, c =>
            {
                Assert.Equal(ConflictOutcome.LastWriterWon, c.Outcome);
                Assert.Equal(ConflictPolicy.LastWriterWins, c.Policy);
                // A write may lose to one that loses later in turn: each resolution kept the later of its two sides.
                Assert.NotEqual(record.CommittedIn, c.Loser!.CommittedIn);
                Assert.NotEqual(c.Loser.StateJson, c.ResultJson);
                Assert.Contains(c.ResultJson, new[] { c.Local.StateJson, c.Remote.StateJson });
            });
            foreach (var conflict in conflicts)
            {
                await Eventually.Holds(() => fixture.Published.Any(p => p.Record.Id == conflict.Id && p.Record.Grain.Equals(grain.GetGrainId())),
                    Timeout, $"{conflict.Id} on a conflict stream");
            }

            // Deliver every version of the conflicts again, twice, to every region: nothing is applied or recorded again.
            var stored = await RecordedPerRegionAsync(grain.GetGrainId());
            var versions = conflicts.SelectMany(c => new[] { c.Local, c.Remote, c.Loser! })
                .Select(v => new ReplicatedChange(grain.GetGrainId(), new GeoRecord(v.Vector.Entries.Sum(e => e.Counter), 0, v.CommittedAt, v.CommittedIn,
                    Encoding.UTF8.GetBytes(v.StateJson), Vector: v.Vector)))
                .Append(new ReplicatedChange(grain.GetGrainId(), record))
                .ToArray();
            var batch = fixture.Codec().Encode(UsEast, 1_000_000, versions, compress: true, out _);
            foreach (var region in Regions.Concat(Regions))
            {
                var ack = await Geo.Client(region).GetGrain<IReplicationReceiverGrain>(0).Apply(batch);
                Assert.Equal(0, ack.Applied);
            }

            Assert.Equal(stored, await RecordedPerRegionAsync(grain.GetGrainId()));
            Assert.Equal(conflicts, await Geo.Client(ApacEast).GetConflictsAsync(grain));
            var after = await ConvergedAsync(grain.GetGrainId(), $"flag '{flag}' after redelivery");
            Assert.Equal(record.State, after.State);
            Assert.Equal(record with { State = [] }, after with { State = [] });
            foreach (var group in fixture.Published.Where(p => p.Record.Grain.Equals(grain.GetGrainId())).GroupBy(p => (p.Stream, p.Record.Id)))
            {
                Assert.Single(group);
            }
        }
    }

    [Fact]
    public async Task Shopping_carts_filled_in_two_partitioned_regions_merge_every_item()
    {
        var key = $"cart-{Guid.NewGuid():N}";
        fixture.PartitionAll();
        try
        {
            var us = Geo.Client(UsEast).GetGrain<ICartGrain>(key);
            var eu = Geo.Client(EuWest).GetGrain<ICartGrain>(key);
            await Task.WhenAll(Task.Run(async () =>
            {
                await us.Add("apple", 2);
                await us.Add("pear", 1);
            }), Task.Run(async () =>
            {
                await eu.Add("apple", 3);
                await eu.Add("plum", 1);
            }));
        }
        finally
        {
            Geo.Heal();
        }

        var grain = Geo.Client(UsEast).GetGrain<ICartGrain>(key);
        var record = await ConvergedAsync(grain.GetGrainId(), $"cart '{key}'", expectedWriters: 2);
        var expected = new Dictionary<string, int> { ["apple"] = 3, ["pear"] = 1, ["plum"] = 1 };
        foreach (var region in Regions)
        {
            Assert.Equal(expected, await Geo.Client(region).GetGrain<ICartGrain>(key).Get());
        }

        var conflicts = await Eventually.Succeeds(async () =>
        {
            var conflicts = await Geo.Client(EuWest).GetConflictsAsync(grain);
            return conflicts.Count > 0 ? conflicts : throw new InvalidOperationException("no conflict recorded yet");
        }, Timeout, $"the merge of '{key}' in the conflict feed");
        Assert.All(conflicts, c =>
        {
            Assert.Equal(ConflictOutcome.Merged, c.Outcome);
            Assert.Equal(ConflictPolicy.Custom, c.Policy);
            Assert.Null(c.Loser);
        });
        Assert.Contains(conflicts, c => c.ResultJson == Encoding.UTF8.GetString(record.State));
    }

    [Fact]
    public async Task A_merge_that_throws_keeps_the_later_write_reports_the_failure_and_the_grain_keeps_working()
    {
        var key = $"note-{Guid.NewGuid():N}";
        fixture.PartitionAll();
        try
        {
            await Geo.Client(UsEast).GetGrain<IBrokenMergeGrain>(key).Set("from us-east");
            await Geo.Client(EuWest).GetGrain<IBrokenMergeGrain>(key).Set("from eu-west");
        }
        finally
        {
            Geo.Heal();
        }

        var grain = Geo.Client(UsEast).GetGrain<IBrokenMergeGrain>(key);
        var record = await ConvergedAsync(grain.GetGrainId(), $"note '{key}'", expectedWriters: 2);
        var kept = $"from {record.CommittedIn}";
        var conflicts = await Eventually.Succeeds(async () =>
        {
            var conflicts = await Geo.Client(EuWest).GetConflictsAsync(grain);
            return conflicts.Count > 0 ? conflicts : throw new InvalidOperationException("no conflict recorded yet");
        }, Timeout, $"the failed merge of '{key}' in the conflict feed");
        var conflict = Assert.Single(conflicts);
        Assert.Equal(ConflictOutcome.MergeFailed, conflict.Outcome);
        Assert.Equal($"merge failed: {BrokenMergeGrain.Failure}", conflict.Detail);
        Assert.Equal($"{{\"Text\":\"{kept}\"}}", conflict.ResultJson);
        Assert.NotEqual(record.CommittedIn, conflict.Loser!.CommittedIn);

        // Still writable in every region, and the next write reaches all of them.
        await Geo.Client(ApacEast).GetGrain<IBrokenMergeGrain>(key).Set("after the failure");
        foreach (var region in Regions)
        {
            await Eventually.Succeeds(async () =>
            {
                var text = await Geo.Client(region).GetGrain<IBrokenMergeGrain>(key).Get();
                return text == "after the failure" ? text : throw new InvalidOperationException($"{region} reads '{text}'");
            }, Timeout, $"{region} reads the write made after the failed merge");
        }
    }

    [Fact]
    public async Task A_region_that_never_ran_a_counter_or_a_flag_resolves_their_concurrent_versions_without_activating_them()
    {
        var key = $"cold-{Guid.NewGuid():N}";
        fixture.PartitionAll();
        try
        {
            // Written in us-east and eu-west only: apac-east receives both versions of each, concurrent, and runs neither grain.
            await Geo.Client(UsEast).GetGrain<IGeoCounterGrain>(key).Add(2);
            await Geo.Client(EuWest).GetGrain<IGeoCounterGrain>(key).Add(5);
            await Geo.Client(UsEast).GetGrain<IGeoFlagGrain>(key).Set("us");
            await Geo.Client(EuWest).GetGrain<IGeoFlagGrain>(key).Set("eu");
        }
        finally
        {
            Geo.Heal();
        }

        var counter = Geo.Client(UsEast).GetGrain<IGeoCounterGrain>(key).GetGrainId();
        var flag = Geo.Client(UsEast).GetGrain<IGeoFlagGrain>(key).GetGrainId();
        await ConvergedAsync(counter, $"counter '{key}'", expectedWriters: 2);
        var flagRecord = await ConvergedAsync(flag, $"flag '{key}'", expectedWriters: 2);

        // apac-east resolved both pairs itself (its conflict log and its stream say so) without an activation of either.
        foreach (var grain in new[] { counter, flag })
        {
            var resolved = await Eventually.Succeeds(async () =>
            {
                var records = await Geo.Client(ApacEast).GetGrain<IConflictLogGrain>(0).List(grain);
                return records.SingleOrDefault() ?? throw new InvalidOperationException($"apac-east recorded {records.Count} conflicts of {grain}");
            }, Timeout, $"apac-east's record of the conflict of {grain}");
            Assert.Equal(ApacEast, resolved.ResolvedIn);
            await Eventually.Holds(() => fixture.Published.Any(p => p.Stream == ApacEast && p.Record.Id == resolved.Id && p.Record.Grain.Equals(grain)),
                Timeout, $"{resolved.Id} on apac-east's conflict stream");
            Assert.DoesNotContain(grain, await Geo.Client(ApacEast).GetGrain<IManagementGrain>(0).GetActiveGrains(grain.Type));
        }

        // Activated now, each reads the resolution.
        Assert.Equal(7, await Geo.Client(ApacEast).GetGrain<IGeoCounterGrain>(key).Get());
        Assert.Equal(flagRecord.CommittedIn == UsEast ? "us" : "eu", await Geo.Client(ApacEast).GetGrain<IGeoFlagGrain>(key).Get());
    }

    [Fact]
    public async Task A_strong_read_of_an_active_active_grain_is_refused_naming_the_problem()
    {
        var grain = Geo.Client(EuWest).GetGrain<IGeoCounterGrain>($"strong-{Guid.NewGuid():N}");
        await grain.Add(1);

        using var scope = GeoContext.Read(ReadLevel.Strong);
        var refused = await Assert.ThrowsAsync<InvalidConsistencyException>(() => grain.Get());
        Assert.Contains("active-active", refused.Message);
        Assert.Contains("Eventual", refused.Message);
    }

    /// <summary>
    /// The convergence checker: waits until every region stores the same record of <paramref name="grain"/>, byte for
    /// byte in its state, with the same vector (which has seen <paramref name="expectedWriters"/> regions' writes).
    /// </summary>
    private async Task<GeoRecord> ConvergedAsync(GrainId grain, string what, int expectedWriters = 3) =>
        await Eventually.Succeeds(async () =>
        {
            var records = new List<GeoRecord>();
            foreach (var region in Regions)
            {
                records.Add((await Geo[region].Store.ReadAsync(grain))?.Record
                    ?? throw new InvalidOperationException($"{region} stores no record of {what}"));
            }

            var first = records[0];
            if (first.Vector is not { } vector || vector.Entries.Length != expectedWriters)
            {
                throw new InvalidOperationException($"{Regions[0]}'s record of {what} has seen {first.Vector}, not {expectedWriters} regions' writes");
            }

            foreach (var (record, region) in records.Zip(Regions))
            {
                if (!record.State.AsSpan().SequenceEqual(first.State) || !Equals(record.Vector, first.Vector) || record.CommittedAt != first.CommittedAt
                    || record.CommittedIn != first.CommittedIn || record.Version != first.Version)
                {
                    throw new InvalidOperationException($"{region} stores {record.Vector} '{Encoding.UTF8.GetString(record.State)}', " +
                        $"{Regions[0]} {first.Vector} '{Encoding.UTF8.GetString(first.State)}' for {what}");
                }
            }

            return first;
        }, Timeout, $"every region stores the same {what}");

    private async Task<string> RecordedPerRegionAsync(GrainId grain)
    {
        var lists = new List<string>();
        foreach (var region in Regions)
        {
            var records = await Geo.Client(region).GetGrain<IConflictLogGrain>(0).List(grain);
            lists.Add($"{region}: {string.Join(", ", records.Select(r => r.Id).Order())}");
        }

        return string.Join("; ", lists);
    }
}
