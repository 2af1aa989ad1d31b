using GeoGrains.Crdts;
using GeoGrains.Tests.Failover;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Crdts;

/// <summary>What each CRDT promises when regions act concurrently, and the operations it refuses.</summary>
public sealed class CrdtSemanticsTests
{

    private static HybridTimestamp At(long physical, int logical = 0) => new(physical, logical);

    [Fact]
    public void OR_set_a_concurrent_add_wins_over_a_remove_and_a_remove_that_saw_every_add_removes()
    {
        var shared = ORSet<string>.Empty.Add(UsEast, "x");
        var removed = shared.Remove("x");
        var addedAgain = shared.Add(EuWest, "x");

        Assert.True(removed.Merge(addedAgain).Contains("x"));
        Assert.True(addedAgain.Merge(removed).Contains("x"));

        var sawEverything = removed.Merge(addedAgain).Remove("x");
        Assert.False(sawEverything.Merge(addedAgain).Contains("x"));
        Assert.False(shared.Merge(sawEverything).Contains("x"));
    }

    [Fact]
    public void MV_register_keeps_concurrent_assignments_until_one_that_saw_them_replaces_them()
    {
        var a = MVRegister<string>.Empty.Assign(UsEast, "red");
        var b = MVRegister<string>.Empty.Assign(EuWest, "blue");

        var both = a.Merge(b);
        Assert.Equal(["blue", "red"], both.Values);

        var resolved = both.Assign(UsEast, "purple");
        Assert.Equal(["purple"], resolved.Merge(a).Merge(b).Values);
    }

    [Fact]
    public void LWW_register_ends_with_the_same_winner_everywhere_the_region_breaking_a_tie()
    {
        var initial = LwwRegister<string>.Initial("none");
        var early = initial.Assign("early", At(100), "us-east");
        var late = initial.Assign("late", At(200), "us-east");
        Assert.Equal("late", early.Merge(late).Value);
        Assert.Equal("late", late.Merge(early).Value);
        Assert.Equal("late", late.Assign("stale", At(150), "eu-west").Value);

        var usEast = initial.Assign("from us-east", At(300), "us-east");
        var euWest = initial.Assign("from eu-west", At(300), "eu-west");
        Assert.Equal("from us-east", usEast.Merge(euWest).Value);
        Assert.Equal("from us-east", euWest.Merge(usEast).Value);
    }

    [Fact]
    public void LWW_map_a_remove_later_than_a_set_wins_even_if_the_set_arrives_last()
    {
        var set = LwwMap<string, int>.Empty.Set("k", 1, At(100), UsEast);
        var removed = set.Remove("k", At(200), EuWest);

        Assert.False(removed.Merge(set).TryGetValue("k", out _));
        Assert.False(set.Merge(removed).TryGetValue("k", out _));
        Assert.True(removed.Set("k", 2, At(300), UsEast).TryGetValue("k", out var value));
        Assert.Equal(2, value);
    }

    [Fact]
    public void OR_map_merges_concurrent_updates_keeps_an_update_concurrent_with_a_remove_and_restarts_a_removed_key_from_empty()
    {
        var shared = ORMap<string, PNCounter>.Empty.Update(UsEast, "cart", PNCounter.Zero, c => c.Add(UsEast, 2));
        var east = shared.Update(UsEast, "cart", PNCounter.Zero, c => c.Add(UsEast, 3));
        var west = shared.Update(EuWest, "cart", PNCounter.Zero, c => c.Add(EuWest, 4));

        Assert.True(east.Merge(west).TryGetValue("cart", out var both));
        Assert.Equal(9, both!.Value);

        // eu-west removes what it saw while us-east adds to it: the key stays with us-east's value.
        var removedInWest = shared.Remove("cart");
        Assert.True(removedInWest.Merge(east).TryGetValue("cart", out var kept));
        Assert.Equal(5, kept!.Value);

        // Removed after seeing everything, then added again: it starts from empty, not from the removed value.
        var again = east.Merge(west).Remove("cart").Update(EuWest, "cart", PNCounter.Zero, c => c.Add(EuWest, 1));
        Assert.True(again.Merge(east).Merge(west).TryGetValue("cart", out var restarted));
        Assert.Equal(1, restarted!.Value);
    }

    [Fact]
    public void Version_vectors_tell_ordered_histories_from_concurrent_ones()
    {
        var a = VersionVector.Empty.With(VersionVector.Empty.Next(UsEast));
        var b = a.With(a.Next(EuWest));
        var c = a.With(a.Next(UsEast));

        Assert.Equal(CausalOrder.Before, a.Compare(b));
        Assert.Equal(CausalOrder.After, b.Compare(a));
        Assert.Equal(CausalOrder.Concurrent, b.Compare(c));
        Assert.Equal(CausalOrder.Equal, b.Merge(c).Compare(c.Merge(b)));
    }

    [Fact]
    public void Operations_a_type_cannot_take_are_refused_by_name_and_leave_the_copy_unchanged()
    {
        var counter = GCounter.Zero.Increment(UsEast, 2);
        var negative = Assert.Throws<InvalidCrdtOperationException>(() => counter.Increment(UsEast, -1));
        Assert.Contains("-1", negative.Message, StringComparison.Ordinal);
        Assert.Contains("PNCounter", negative.Message, StringComparison.Ordinal);
        Assert.Equal(2, counter.Value);

        var map = ORMap<string, GCounter>.Empty;
        var nullChange = Assert.Throws<InvalidCrdtOperationException>(() => map.Update(UsEast, "k", GCounter.Zero, _ => null!));
        Assert.Contains("'k'", nullChange.Message, StringComparison.Ordinal);
        Assert.Empty(map.Items);

        Assert.Throws<InvalidCrdtOperationException>(() => new VersionVector([new Dot("us-east", -1)]));
        Assert.Throws<InvalidCrdtOperationException>(() => new VersionVector([new Dot("", 1)]));
    }

    [Fact]
    public void Copies_travel_through_Orleans_serialization_unchanged()
    {
        var set = ORSet<string>.Empty.Add(UsEast, "a").Add(EuWest, "b").Remove("a");
        var map = ORMap<string, PNCounter>.Empty.Update(UsEast, "k", PNCounter.Zero, c => c.Add(UsEast, -3));
        var lww = LwwMap<string, int>.Empty.Set("k", 1, At(5), UsEast);
        var mv = MVRegister<string>.Empty.Assign(UsEast, "x").Merge(MVRegister<string>.Empty.Assign(EuWest, "y"));

        Assert.Equal(set, RoundTrip(set));
        Assert.Equal(map, RoundTrip(map));
        Assert.Equal(lww, RoundTrip(lww));
        Assert.Equal(mv, RoundTrip(mv));
        Assert.Equal(GCounter.Zero.Increment(EuWest, 7), RoundTrip(GCounter.Zero.Increment(EuWest, 7)));
    }

    private static T RoundTrip<T>(T value) => FailoverTestSerializer.Instance.Deserialize<T>(FailoverTestSerializer.Instance.SerializeToArray(value))!;
}
