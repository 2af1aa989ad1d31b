using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Admin;
using GeoGrains.Runtime.Replication;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.ActiveActive;

/// <summary>
/// Delta shipping on the same three regions: a set written again ships what changed instead of its whole state, and
/// regions that took deltas, concurrent ones included, store byte for byte what the others store.
/// </summary>
public sealed partial class ActiveActiveTests
{
    private static readonly string[] ManyTags = [.. Enumerable.Range(0, 200).Select(i => $"tag-{i:D3}")];

    [Fact]
    public async Task A_set_written_again_ships_deltas_and_every_region_stores_the_same_bytes()
    {
        var key = $"tags-{Guid.NewGuid():N}";
        var grain = Geo.Client(UsEast).GetGrain<IGeoTagsGrain>(key);
        await grain.Add(ManyTags);
        await AcknowledgedEverywhereAsync(UsEast, grain.GetGrainId());
        var before = DeltasSent(UsEast);

        await grain.Add("fresh");
        await grain.Remove("tag-007");
        await Geo.Client(EuWest).GetGrain<IGeoTagsGrain>(key).Add("from-eu");

        var record = await ConvergedAsync(grain.GetGrainId(), $"tag set '{key}'", expectedWriters: 2);
        string[] expected = [.. ManyTags.Where(t => t != "tag-007").Append("fresh").Append("from-eu").Order(StringComparer.Ordinal)];
        foreach (var region in Regions)
        {
            Assert.Equal(expected, (await Geo.Client(region).GetGrain<IGeoTagsGrain>(key).Get()).Order(StringComparer.Ordinal));
        }

        // us-east's two later writes went to each other region as deltas (the batch may have coalesced them into one).
        var after = DeltasSent(UsEast);
        Assert.All(Regions.Where(r => r != UsEast), r => Assert.True(after[r] > before[r], $"no delta went from us-east to {r}"));
        Assert.NotNull(record.Vector);
    }

    [Fact]
    public async Task A_counter_incremented_again_ships_the_writers_entry_as_a_delta()
    {
        var key = $"delta-counter-{Guid.NewGuid():N}";
        foreach (var region in Regions)
        {
            await Geo.Client(region).GetGrain<IGeoCounterGrain>(key).Add(5);
        }

        // us-east's first version was acknowledged before the others wrote: against it, the delta would hold every
        // region's entry. Once its next version (which has seen them) is acknowledged, an increment changes one entry.
        var counter = Geo.Client(UsEast).GetGrain<IGeoCounterGrain>(key);
        var stored = await ConvergedAsync(counter.GetGrainId(), $"counter '{key}'");
        await counter.Add(1);
        await AcknowledgedEverywhereAsync(UsEast, counter.GetGrainId(), stored.Version + 1);
        var before = DeltasSent(UsEast);

        await counter.Add(1);

        await Eventually.Holds(() => DeltasSent(UsEast).All(d => d.Value > before[d.Key]), Timeout, "us-east's increment sent as a delta to both regions");
        await ConvergedAsync(counter.GetGrainId(), $"counter '{key}' after the delta");
        foreach (var region in Regions)
        {
            Assert.Equal(17, await Geo.Client(region).GetGrain<IGeoCounterGrain>(key).Get());
        }
    }

    [Fact]
    public async Task Concurrent_deltas_under_a_partition_merge_add_wins_and_the_conflict_shows_the_delta()
    {
        var key = $"tags-{Guid.NewGuid():N}";
        var usEast = Geo.Client(UsEast).GetGrain<IGeoTagsGrain>(key);
        var euWest = Geo.Client(EuWest).GetGrain<IGeoTagsGrain>(key);
        await usEast.Add(ManyTags);
        await ConvergedAsync(usEast.GetGrainId(), $"tag set '{key}'", expectedWriters: 1);
        await euWest.Add("eu-seed");
        await AcknowledgedEverywhereAsync(UsEast, usEast.GetGrainId());
        await AcknowledgedEverywhereAsync(EuWest, usEast.GetGrainId());
        var before = DeltasSent(UsEast);

        long usEastLast;
        fixture.PartitionAll();
        try
        {
            // us-east removes a tag eu-west adds again at the same time: the add it has not seen wins.
            await usEast.Remove("tag-000");
            await usEast.Add("us-new");
            usEastLast = (await Geo[UsEast].Store.ReadAsync(usEast.GetGrainId()))!.Record.Vector![UsEast.Value];
            await euWest.Add("tag-000", "eu-new");
            await Geo.Client(ApacEast).GetGrain<IGeoTagsGrain>(key).Add("apac-new");
        }
        finally
        {
            Geo.Heal();
        }

        await ConvergedAsync(usEast.GetGrainId(), $"tag set '{key}' after the heal");
        string[] expected = [.. ManyTags.Concat(["eu-seed", "us-new", "eu-new", "apac-new"]).Order(StringComparer.Ordinal)];
        foreach (var region in Regions)
        {
            Assert.Equal(expected, (await Geo.Client(region).GetGrain<IGeoTagsGrain>(key).Get()).Order(StringComparer.Ordinal));
        }

        var after = DeltasSent(UsEast);
        Assert.True(after[EuWest] > before[EuWest], "us-east's writes went to eu-west whole, not as a delta");

        // A region that took us-east's delta resolved it against its own concurrent version: its record of the conflict
        // shows what arrived, marked as a delta. (Each region keeps its own records; the feed lists a pair resolved in
        // several regions once, so the regions' logs are read here.) The record of us-east's last write is looked at:
        // its first one (the remove) may have arrived on its own too, when its batch reached the link after the heal.
        var resolved = await Eventually.Succeeds(async () =>
        {
            var records = new List<ConflictRecord>();
            foreach (var region in Regions.Where(r => r != UsEast))
            {
                records.AddRange(await Geo.Client(region).GetGrain<Runtime.Admin.IConflictLogGrain>(0).List(usEast.GetGrainId()));
            }

            return records
                .Where(c => c.Remote.IsDelta && c.Remote.CommittedIn == UsEast && c.Remote.Vector[UsEast.Value] == usEastLast)
                .FirstOrDefault()
                ?? throw new InvalidOperationException($"conflicts: {string.Join("; ", records.Select(c => $"{c.ResolvedIn} remote {c.Remote} delta={c.Remote.IsDelta}"))}");
        }, Timeout, "a conflict with us-east's delta of its last write in another region's records");
        Assert.Equal(ConflictOutcome.Merged, resolved.Outcome);
        Assert.DoesNotContain("tag-150", resolved.Remote.StateJson, StringComparison.Ordinal);
        Assert.Contains("us-new", resolved.Remote.StateJson, StringComparison.Ordinal);
        Assert.Contains("tag-150", resolved.ResultJson, StringComparison.Ordinal);
    }

    private async Task AcknowledgedEverywhereAsync(RegionId source, GrainId grain, long version = 1)
    {
        var outbox = SiloServices(source).GetRequiredService<GeoReplication>().Outbox;
        await Eventually.Holds(() => Regions.Where(r => r != source).All(r => outbox.AcknowledgedVersion(grain, r)?.Version >= version),
            Timeout, $"every region acknowledged {source}'s version {version} of {grain}");
    }

    private Dictionary<RegionId, long> DeltasSent(RegionId source)
    {
        var metrics = SiloServices(source).GetRequiredService<ReplicationMetrics>();
        return Regions.Where(r => r != source).ToDictionary(r => r, r => metrics.Get(source, r).DeltasSent);
    }

    private IServiceProvider SiloServices(RegionId region) => Geo[region].Cluster!.Silos.Cast<InProcessSiloHandle>().Single().ServiceProvider;
}
