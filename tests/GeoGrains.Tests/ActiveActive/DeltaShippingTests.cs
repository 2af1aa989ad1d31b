using GeoGrains.Runtime.Clocks;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using GeoGrains.Crdts;
using GeoGrains.Runtime.ActiveActive;
using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;

namespace GeoGrains.Tests.ActiveActive;

/// <summary>
/// Which versions of active-active grains ship as deltas, and how a receiving region joins them into what it stores
/// (the whole path runs on real regions in the integration tests).
/// </summary>
public sealed class DeltaShippingTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private static readonly GrainId Tags = GrainId.Create("tags", "post-1");
    private static readonly GrainId Flag = GrainId.Create("flag", "flag-1");

    private readonly StateDeltas _deltas = Deltas();

    /// <summary>What the silo knows of the test grain types: <c>tags</c> a grow-only set, <c>flag</c> last writer wins.</summary>
    internal static StateDeltas Deltas() => new(new ActiveActiveTypes(type => type.ToString() switch
    {
        "tags" => typeof(TagsGrain),
        "flag" => typeof(FlagGrain),
        "counter" => typeof(CounterGrain),
        _ => null,
    }, regions: 3));

    private static GSet<string> Set(int count, string prefix = "tag") => new([.. Enumerable.Range(0, count).Select(i => $"{prefix}-{i:D4}")]);

    private static GeoRecord Version(VersionVector vector, object state) =>
        new(vector.Entries.Sum(e => e.Counter), 0, new HybridTimestamp(vector.Entries.Sum(e => e.Counter), 0), "us-east", JsonSerializer.SerializeToUtf8Bytes(state), Vector: vector);

    private static VersionVector Vector(params (string Region, long Counter)[] entries) => new([.. entries.Select(e => new Dot(e.Region, e.Counter))]);

    [Fact]
    public void A_version_after_the_acknowledged_one_ships_as_the_delta_when_that_is_smaller()
    {
        var acked = Version(Vector(("us-east", 1)), Set(200));
        var next = Version(Vector(("us-east", 2)), Set(200).Add("fresh"));
        var sent = Ship(new ReplicatedChange(Tags, next), acked);

        Assert.Equal(acked.Vector, sent.DeltaBase);
        Assert.Equal(next.Vector, sent.Record.Vector);
        Assert.Equal(["fresh"], JsonSerializer.Deserialize<GSet<string>>(sent.Record.State)!.Elements.ToArray());
        Assert.True(sent.Record.State.Length * 20 < next.State.Length, $"delta {sent.Record.State.Length} bytes, state {next.State.Length}");
    }

    [Fact]
    public void A_counter_increment_ships_as_the_writers_entry()
    {
        var counter = GrainId.Create("counter", "c-1");
        var counts = PNCounter.Zero.Add("us-east", 5).Add("eu-west", 7).Add("apac-east", 9).Add("eu-west", -2);
        var acked = Version(Vector(("us-east", 1), ("eu-west", 2), ("apac-east", 1)), counts);
        var next = Version(Vector(("us-east", 2), ("eu-west", 2), ("apac-east", 1)), counts.Increment("us-east"));

        var sent = Ship(new ReplicatedChange(counter, next), acked);

        Assert.Equal(acked.Vector, sent.DeltaBase);
        var delta = JsonSerializer.Deserialize<PNCounter>(sent.Record.State)!;
        Assert.Equal([new Dot("us-east", 6)], delta.Increments.Counts.Entries.ToArray());
        Assert.Empty(delta.Decrements.Counts.Entries);
    }

    [Fact]
    public void The_whole_state_ships_without_an_acknowledged_ancestor_for_a_small_state_and_for_types_without_deltas()
    {
        var next = Version(Vector(("us-east", 2)), Set(200).Add("fresh"));
        Assert.Null(Ship(new ReplicatedChange(Tags, next), null).DeltaBase);

        // Acknowledged, but concurrent with this version (not an ancestor): a delta against it would lose its changes.
        var concurrent = Version(Vector(("eu-west", 1)), Set(200));
        Assert.Null(Ship(new ReplicatedChange(Tags, next), concurrent).DeltaBase);

        // A one-element set: its delta is no smaller than the state.
        var small = Version(Vector(("us-east", 1)), Set(1));
        var smallNext = Version(Vector(("us-east", 2)), new GSet<string>(["other"]).Merge(Set(1)));
        var sent = Ship(new ReplicatedChange(Tags, smallNext), small);
        Assert.True(sent.DeltaBase is null || sent.Record.State.Length < smallNext.State.Length);

        // A last-writer-wins grain's state is not a CRDT.
        var flag = Version(Vector(("us-east", 2)), new FlagState(new string('x', 500)));
        Assert.Null(Ship(new ReplicatedChange(Flag, flag), Version(Vector(("us-east", 1)), new FlagState("y"))).DeltaBase);
    }

    [Fact]
    public async Task A_receiver_joins_a_delta_into_the_version_it_stores_and_asks_for_the_whole_state_when_it_lacks_the_base()
    {
        var store = new GeoStore(new MemoryRegionTable(new RegionStorageAccount("eu-west"), new RegionStorageMetrics()), Serializer, partitions: 4);
        // Only versions ordered after the stored one, or refused, here: nothing is resolved, so no resolver or conflict store is needed.
        var applier = new ActiveActiveApplier(store, new ReplicaVersions(), _deltas, types: null!, conflicts: null!, conflictFeed: null!, region: null!, new GeoGrains.Runtime.Clocks.HybridLogicalClock());
        var v1 = Version(Vector(("us-east", 1)), Set(100));
        Assert.NotNull(await store.TryCommitAsync(Tags, v1, null, marker: null));

        // Taken against a version eu-west has not stored (us-east:2): it cannot be joined; nothing changes.
        var v2 = Version(Vector(("us-east", 2)), Set(100).Add("second"));
        var v3 = Version(Vector(("us-east", 3)), Set(100).Add("second").Add("third"));
        var skipped = new ReplicatedChange(Tags, v3 with { State = Encoding.UTF8.GetBytes("""{"Elements":["third"]}""") }, v2.Vector);
        var refused = await applier.ApplyAsync([skipped], grains: null!);
        Assert.Equal([Tags], refused.NeedWholeState);
        Assert.Empty(refused.Applied);
        Assert.Equal(v1.State, (await store.ReadAsync(Tags))!.Record.State);

        // Taken against v1, which it stores: joined, and stored as the whole state, byte for byte what us-east holds.
        var delta = new ReplicatedChange(Tags, v3 with { State = JsonSerializer.SerializeToUtf8Bytes(Set(100).Add("second").Add("third").DeltaSince(Set(100))) }, v1.Vector);
        var joined = await applier.ApplyAsync([delta], grains: null!);
        Assert.Empty(joined.NeedWholeState);
        var stored = (await store.ReadAsync(Tags))!.Record;
        Assert.Equal(v3.State, stored.State);
        Assert.Equal(v3.Vector, stored.Vector);
        Assert.Equal(v3.State, Assert.Single(joined.Applied).Stored.Record.State);

        // Delivered again: seen already, nothing to do.
        var again = await applier.ApplyAsync([delta], grains: null!);
        Assert.Empty(again.Applied);
        Assert.Empty(again.NeedWholeState);
    }

    [Fact]
    public void A_delta_joins_only_into_a_version_that_has_seen_its_base()
    {
        var stored = Version(Vector(("us-east", 1), ("eu-west", 3)), Set(10));
        var delta = JsonSerializer.SerializeToUtf8Bytes(new GSet<string>(["x"]));

        Assert.NotNull(_deltas.TryJoin(Tags, stored, delta, Vector(("us-east", 1))));
        Assert.NotNull(_deltas.TryJoin(Tags, stored, delta, stored.Vector!));
        Assert.Null(_deltas.TryJoin(Tags, stored, delta, Vector(("us-east", 2))));
        Assert.Null(_deltas.TryJoin(Tags, null, delta, Vector(("us-east", 1))));
        Assert.Null(_deltas.TryJoin(Flag, stored, delta, Vector(("us-east", 1))));
    }

    public sealed record FlagState(string Value);

    [GeoGrain(Writers = GeoWriters.AnyRegion, Conflicts = ConflictPolicy.Crdt)]
    internal sealed class TagsGrain : GeoGrain<GSet<string>>
    {
        protected override GSet<string> CreateInitialState() => GSet<string>.Empty;
    }

    [GeoGrain(Writers = GeoWriters.AnyRegion, Conflicts = ConflictPolicy.Crdt)]
    private sealed class CounterGrain : GeoGrain<PNCounter>
    {
        protected override PNCounter CreateInitialState() => PNCounter.Zero;
    }

    [GeoGrain(Writers = GeoWriters.AnyRegion, Conflicts = ConflictPolicy.LastWriterWins)]
    private sealed class FlagGrain : GeoGrain<FlagState>
    {
        protected override FlagState CreateInitialState() => new(string.Empty);
    }

    private ReplicatedChange Ship(ReplicatedChange change, GeoRecord? acknowledged) =>
        new DeltaShipping(_deltas).ForTarget(change, "eu-west", (_, _) => acknowledged);
}
