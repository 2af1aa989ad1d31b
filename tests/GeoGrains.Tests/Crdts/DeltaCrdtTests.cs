using System.Text.Json;
using CsCheck;
using GeoGrains.Crdts;
using GeoGrains.Tests.Failover;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Crdts;

/// <summary>
/// Delta CRDTs: over random three-region histories, a delta a region's copy takes against one of its own earlier copies
/// joins into any copy that has seen that earlier one exactly as the whole copy does (by value and byte for byte), it
/// survives JSON, and a delta against itself changes nothing; a delta is small when little changed, keeps each type's
/// semantics, and is refused where it cannot be taken or joined.
/// </summary>
public sealed class DeltaCrdtTests
{

    private static HybridTimestamp At(long physical) => new(physical, 0);

    [Fact]
    public void GCounter_delta_joins_as_the_whole_copy() =>
        CheckDeltas<GCounter, GCounter>(GCounter.Zero, (s, region, _, arg, _) => s.Increment(region, arg));

    [Fact]
    public void PNCounter_delta_joins_as_the_whole_copy() =>
        CheckDeltas<PNCounter, PNCounter>(PNCounter.Zero, (s, region, kind, arg, _) => s.Add(region, kind % 2 == 0 ? arg : -arg));

    [Fact]
    public void GSet_delta_joins_as_the_whole_copy() =>
        CheckDeltas<GSet<int>, GSet<int>>(GSet<int>.Empty, (s, _, _, arg, _) => s.Add(arg));

    [Fact]
    public void LwwMap_delta_joins_as_the_whole_copy() =>
        CheckDeltas<LwwMap<string, int>, LwwMap<string, int>>(
            LwwMap<string, int>.Empty,
            (s, region, kind, arg, clock) => kind < 3 ? s.Set($"k{arg % 3}", arg, At(clock), region) : s.Remove($"k{arg % 3}", At(clock), region));

    [Fact]
    public void ORSet_delta_joins_as_the_whole_copy() =>
        CheckDeltas<ORSet<string>, ORSetDelta<string>>(
            ORSet<string>.Empty,
            (s, region, kind, arg, _) => kind < 2 ? s.Add(region, $"e{arg}") : s.Remove($"e{arg}"));

    [Fact]
    public void ORMap_delta_joins_as_the_whole_copy() =>
        CheckDeltas<ORMap<string, PNCounter>, ORMapDelta<string, PNCounter>>(
            ORMap<string, PNCounter>.Empty,
            (s, region, kind, arg, _) => kind < 3 ? s.Update(region, $"k{arg % 3}", PNCounter.Zero, c => c.Add(region, arg + 1)) : s.Remove($"k{arg % 3}"));

    [Fact]
    public void A_set_of_a_thousand_elements_ships_one_add_or_remove_in_a_small_fraction_of_its_bytes()
    {
        // As 1,000 adds spread over three regions leave it (built at once: adding one by one costs a sort per add).
        var earlier = new ORSet<string>(
            [.. Enumerable.Range(0, 1000).Select(i => new DottedEntry<string, byte>($"sku-{i:D6}", [new Dot(CrdtHistory.Regions[i % 3].Value, (i / 3) + 1)], 0))],
            new VersionVector([.. CrdtHistory.Regions.Select((r, n) => new Dot(r.Value, Enumerable.Range(0, 1000).Count(i => i % 3 == n)))]));
        foreach (var later in new[] { earlier.Add(UsEast, "sku-new"), earlier.Remove("sku-000500") })
        {
            var delta = later.DeltaSince(earlier);
            var deltaBytes = CrdtHistory.Bytes(delta).Length;
            var stateBytes = CrdtHistory.Bytes(later).Length;
            Assert.True(deltaBytes * 100 < stateBytes, $"the delta is {deltaBytes} bytes, the state {stateBytes}");
            CrdtHistory.Same(earlier.MergeDelta(delta), later, "the delta brings the earlier copy to the later one");
        }

        var grown = new GSet<string>([.. Enumerable.Range(0, 1000).Select(i => $"sku-{i:D6}")]);
        var added = grown.Add("sku-new");
        var setDelta = added.DeltaSince(grown);
        Assert.Equal("sku-new", Assert.Single(setDelta.Elements));
        Assert.True(CrdtHistory.Bytes(setDelta).Length * 100 < CrdtHistory.Bytes(added).Length);
    }

    [Fact]
    public void OR_set_deltas_keep_add_wins_a_concurrent_add_survives_a_remove_and_a_remove_that_saw_every_add_removes()
    {
        var shared = ORSet<string>.Empty.Add(UsEast, "x");
        var removed = shared.Remove("x");
        var addedAgain = shared.Add(EuWest, "x");
        var removal = removed.DeltaSince(shared);
        var addition = addedAgain.DeltaSince(shared);

        Assert.True(addedAgain.MergeDelta(removal).Contains("x"));
        Assert.True(removed.MergeDelta(addition).Contains("x"));
        CrdtHistory.Same(addedAgain.MergeDelta(removal), addedAgain.Merge(removed), "remove delta into the concurrent add");
        CrdtHistory.Same(removed.MergeDelta(addition), removed.Merge(addedAgain), "add delta into the concurrent remove");

        var sawEverything = removed.MergeDelta(addition).Remove("x");
        var finalRemoval = sawEverything.DeltaSince(shared);
        Assert.False(shared.MergeDelta(finalRemoval).Contains("x"));
        Assert.False(addedAgain.MergeDelta(finalRemoval).Contains("x"));
        Assert.False(removed.MergeDelta(finalRemoval).Contains("x"));
    }

    [Fact]
    public void A_delta_joins_only_into_a_copy_that_has_seen_the_copy_it_was_taken_against()
    {
        var earlier = ORSet<string>.Empty.Add(UsEast, "a");
        var delta = earlier.Add(UsEast, "b").DeltaSince(earlier);
        var unseen = ORSet<string>.Empty.Add(EuWest, "c");

        var refused = Assert.Throws<InvalidCrdtOperationException>(() => unseen.MergeDelta(delta));
        Assert.Contains("[us-east:1]", refused.Message, StringComparison.Ordinal);
        Assert.Contains("[eu-west:1]", refused.Message, StringComparison.Ordinal);

        var map = ORMap<string, GCounter>.Empty.Update(UsEast, "k", GCounter.Zero, c => c.Increment(UsEast));
        var mapDelta = map.Update(UsEast, "k", GCounter.Zero, c => c.Increment(UsEast)).DeltaSince(map);
        var mapRefused = Assert.Throws<InvalidCrdtOperationException>(() => ORMap<string, GCounter>.Empty.MergeDelta(mapDelta));
        Assert.Contains("[us-east:1]", mapRefused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delta_against_a_copy_with_changes_this_one_lacks_is_refused()
    {
        var counter = GCounter.Zero.Increment(UsEast, 2);
        Assert.Throws<InvalidCrdtOperationException>(() => counter.DeltaSince(GCounter.Zero.Increment(EuWest)));
        Assert.Throws<InvalidCrdtOperationException>(() => counter.DeltaSince(counter.Increment(UsEast)));
        Assert.Throws<InvalidCrdtOperationException>(() => PNCounter.Zero.Increment(UsEast).DeltaSince(PNCounter.Zero.Decrement(UsEast)));

        var set = GSet<string>.Empty.Add("a");
        var missing = Assert.Throws<InvalidCrdtOperationException>(() => set.DeltaSince(set.Add("b")));
        Assert.Contains("b", missing.Message, StringComparison.Ordinal);

        var map = LwwMap<string, int>.Empty.Set("k", 1, At(100), UsEast);
        var newer = Assert.Throws<InvalidCrdtOperationException>(() => map.DeltaSince(map.Set("k", 2, At(200), EuWest)));
        Assert.Contains("'k'", newer.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidCrdtOperationException>(() => map.DeltaSince(map.Set("other", 2, At(50), EuWest)));

        var orSet = ORSet<string>.Empty.Add(UsEast, "a");
        var ahead = orSet.Add(EuWest, "b");
        var orRefused = Assert.Throws<InvalidCrdtOperationException>(() => orSet.DeltaSince(ahead));
        Assert.Contains(ahead.Context.ToString(), orRefused.Message, StringComparison.Ordinal);
        Assert.Contains(orSet.Context.ToString(), orRefused.Message, StringComparison.Ordinal);

        var orMap = ORMap<string, GCounter>.Empty.Update(UsEast, "k", GCounter.Zero, c => c.Increment(UsEast));
        Assert.Throws<InvalidCrdtOperationException>(() => ORMap<string, GCounter>.Empty.DeltaSince(orMap));
    }

    [Fact]
    public void A_delta_whose_parts_do_not_fit_its_interval_is_refused_by_name()
    {
        var floor = new VersionVector([new Dot("us-east", 2)]);
        var context = new VersionVector([new Dot("us-east", 4)]);

        var old = Assert.Throws<InvalidCrdtOperationException>(() => new ORSetDelta<string>([new("a", [new Dot("us-east", 1)], 0)], floor, context, []));
        Assert.Contains("us-east:1", old.Message, StringComparison.Ordinal);
        var unseen = Assert.Throws<InvalidCrdtOperationException>(() => new ORSetDelta<string>([new("a", [new Dot("eu-west", 1)], 0)], floor, context, []));
        Assert.Contains("eu-west:1", unseen.Message, StringComparison.Ordinal);
        var removedAbove = Assert.Throws<InvalidCrdtOperationException>(() => new ORSetDelta<string>([], floor, context, [new Dot("us-east", 3)]));
        Assert.Contains("us-east:3", removedAbove.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidCrdtOperationException>(() => new ORSetDelta<string>([], context, floor, []));
        Assert.Throws<InvalidCrdtOperationException>(() => new ORMapDelta<string, GCounter>([new("k", new Dot("us-east", 2), GCounter.Zero)], floor, context, []));
    }

    [Fact]
    public void Deltas_travel_through_Orleans_serialization_unchanged()
    {
        var set = ORSet<string>.Empty.Add(UsEast, "a").Add(EuWest, "b");
        var setDelta = set.Remove("a").Add(UsEast, "c").DeltaSince(set);
        var map = ORMap<string, PNCounter>.Empty.Update(UsEast, "k", PNCounter.Zero, c => c.Add(UsEast, 3));
        var mapDelta = map.Update(EuWest, "k", PNCounter.Zero, c => c.Add(EuWest, -1)).DeltaSince(map);

        var addOnly = set.Add(EuWest, "d").DeltaSince(set);

        Assert.Equal(setDelta, RoundTrip(setDelta));
        Assert.Equal(mapDelta, RoundTrip(mapDelta));
        Assert.Equal(CrdtHistory.Bytes(setDelta), CrdtHistory.Bytes(RoundTrip(setDelta)));
        Assert.Equal(set.Remove("a").Add(UsEast, "c"), set.MergeDelta(RoundTrip(setDelta)));
        Assert.Equal(set.Add(EuWest, "d"), set.MergeDelta(RoundTrip(addOnly)));
    }

    [Fact]
    public void Deltas_keep_their_JSON_shape_entries_floor_context_removed()
    {
        var set = ORSet<string>.Empty.Add(UsEast, "a").Add(EuWest, "b");
        var setDelta = set.Remove("a").Add(UsEast, "c").DeltaSince(set);
        var map = ORMap<string, PNCounter>.Empty.Update(UsEast, "k", PNCounter.Zero, c => c.Add(UsEast, 3)).Update(UsEast, "j", PNCounter.Zero, c => c.Add(UsEast, 1));
        var mapDelta = map.Remove("j").Update(EuWest, "k", PNCounter.Zero, c => c.Add(EuWest, -1)).DeltaSince(map);

        // The parts moved to a shared base; JSON (how grain state is stored) must still name them as before, in this order.
        string[] shape = ["Entries", "Floor", "Context", "Removed"];
        Assert.Equal(shape, JsonDocument.Parse(CrdtHistory.Bytes(setDelta)).RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(shape, JsonDocument.Parse(CrdtHistory.Bytes(mapDelta)).RootElement.EnumerateObject().Select(p => p.Name));
        Assert.NotEmpty(setDelta.Removed);
        Assert.NotEmpty(mapDelta.Removed);
        CrdtHistory.AssertJsonRoundTrip(setDelta);
        CrdtHistory.AssertJsonRoundTrip(mapDelta);
        Assert.Equal(set.Remove("a").Add(UsEast, "c"), set.MergeDelta(JsonSerializer.Deserialize<ORSetDelta<string>>(CrdtHistory.Bytes(setDelta))!));
    }

    /// <summary>
    /// Over random histories: a delta one region's copy takes against one of its own earlier copies, joined into a copy
    /// that has seen that earlier one (the same region's copy then or later, joined with any state of the history), gives
    /// what joining the whole copy gives; it survives JSON byte for byte; and a delta against itself changes nothing.
    /// </summary>
    private static void CheckDeltas<T, TDelta>(T empty, Func<T, RegionId, int, int, long, T> operation)
        where T : IDeltaCrdt<T, TDelta> =>
        Gen.Select(CrdtHistory.Steps, Gen.Int[0, 2], Gen.Select(Gen.Int[0, 1000], Gen.Int[0, 1000], Gen.Int[0, 1000], Gen.Int[0, 1000])).Sample((steps, region, picks) =>
        {
            var (seen, byRegion) = CrdtHistory.RunByRegion(empty, steps, operation);
            var copies = byRegion[region];
            var (a, b, c, d) = picks;
            var i = a % copies.Count;
            var earlier = copies[i];
            var later = copies[i + (b % (copies.Count - i))];
            var x = copies[i + (c % (copies.Count - i))].Merge(seen[d % seen.Count]);

            var delta = later.DeltaSince(earlier);
            CrdtHistory.Same(x.MergeDelta(delta), x.Merge(later), "a delta joins as the whole copy");
            CrdtHistory.AssertJsonRoundTrip(delta);
            Assert.Equal(CrdtHistory.Bytes(delta), CrdtHistory.Bytes(later.DeltaSince(JsonSerializer.Deserialize<T>(CrdtHistory.Bytes(earlier))!)));

            var current = later.Merge(seen[d % seen.Count]);
            CrdtHistory.Same(current.MergeDelta(later.DeltaSince(later)), current, "a delta against itself changes nothing");
        }, iter: 300);

    private static T RoundTrip<T>(T value) => FailoverTestSerializer.Instance.Deserialize<T>(FailoverTestSerializer.Instance.SerializeToArray(value))!;
}
