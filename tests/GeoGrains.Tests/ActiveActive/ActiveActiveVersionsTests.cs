using GeoGrains.Runtime.Storage;
using System.Text;
using GeoGrains.Crdts;
using GeoGrains.Runtime.ActiveActive;
using GeoGrains.Runtime.Replication;
using Orleans.Runtime;

namespace GeoGrains.Tests.ActiveActive;

/// <summary>Ordering and resolving the versions of active-active grains: every region must reach the same record.</summary>
public sealed class ActiveActiveVersionsTests
{
    private static readonly RegionId Us = "us-east";
    private static readonly RegionId Eu = "eu-west";
    private static readonly RegionId Apac = "apac-east";
    private static readonly GrainId Grain = GrainId.Create("cart", "c1");

    private static GeoRecord Write(GeoRecord? after, RegionId region, long at, string state) =>
        ActiveActiveVersions.Commit(after, region, new HybridTimestamp(at, 0), Encoding.UTF8.GetBytes(state));

    private static string StateOf(GeoRecord record) => Encoding.UTF8.GetString(record.State);

    // Joins two JSON arrays of numbers as sets: commutative, associative, idempotent.
    private static byte[] Union(byte[] a, byte[] b) => Encoding.UTF8.GetBytes(
        "[" + string.Join(",", Parse(a).Union(Parse(b)).Order()) + "]");

    private static IEnumerable<int> Parse(byte[] json) =>
        Encoding.UTF8.GetString(json).Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse);

    [Fact]
    public void Local_writes_advance_the_regions_own_counter_and_the_version_is_the_vectors_total()
    {
        var first = Write(null, Us, 10, "1");
        var second = Write(first, Us, 11, "2");
        var remote = Write(second, Eu, 12, "3");

        Assert.Equal(new VersionVector([new Dot("us-east", 2), new Dot("eu-west", 1)]), remote.Vector);
        Assert.Equal(3, remote.Version);
        Assert.Equal(0, remote.Epoch);
        Assert.True(remote.IsNewerThan(second));
    }

    [Fact]
    public void An_incoming_version_already_seen_is_ignored_a_later_one_replaces_and_concurrent_ones_are_told_apart()
    {
        var a = Write(null, Us, 10, "1");
        var b = Write(a, Eu, 11, "2");
        var c = Write(a, Apac, 12, "3");

        Assert.Equal(CausalOrder.Before, ActiveActiveVersions.Order(a, b));
        Assert.Equal(CausalOrder.Equal, ActiveActiveVersions.Order(b, b));
        Assert.Equal(CausalOrder.After, ActiveActiveVersions.Order(b, a));
        Assert.Equal(CausalOrder.After, ActiveActiveVersions.Order(a, null));
        Assert.Equal(CausalOrder.Concurrent, ActiveActiveVersions.Order(b, c));
    }

    [Fact]
    public void Last_writer_wins_picks_the_later_clock_in_either_region_and_names_the_loser_the_same()
    {
        var eu = Write(null, Eu, 20, "\"eu\"");
        var us = Write(null, Us, 30, "\"us\"");

        var atEu = ActiveActiveVersions.Resolve(Grain, eu, us, ConflictPolicy.LastWriterWins, null, Eu, new HybridTimestamp(40, 0));
        var atUs = ActiveActiveVersions.Resolve(Grain, us, eu, ConflictPolicy.LastWriterWins, null, Us, new HybridTimestamp(41, 0));

        Assert.Equal(atEu.Result, atUs.Result with { State = atEu.Result.State });
        Assert.Equal(atEu.Result.State, atUs.Result.State);
        Assert.Equal("\"us\"", StateOf(atEu.Result));
        Assert.Equal(new VersionVector([new Dot("eu-west", 1), new Dot("us-east", 1)]), atEu.Result.Vector);
        Assert.Equal(ConflictOutcome.LastWriterWon, atEu.Conflict.Outcome);
        Assert.Equal(Eu, atEu.Conflict.Loser!.CommittedIn);
        Assert.Equal(atEu.Conflict.Id, atUs.Conflict.Id);
        Assert.Equal(Us, atEu.Conflict.Remote.CommittedIn);
        Assert.Equal(Eu, atEu.Conflict.Local.CommittedIn);
    }

    [Fact]
    public void On_equal_clocks_the_region_id_breaks_the_tie()
    {
        var eu = Write(null, Eu, 20, "\"eu\"");
        var us = Write(null, Us, 20, "\"us\"");

        var resolved = ActiveActiveVersions.Resolve(Grain, eu, us, ConflictPolicy.LastWriterWins, null, Eu, default);

        // "us-east" > "eu-west" (ordinal).
        Assert.Equal("\"us\"", StateOf(resolved.Result));
        Assert.Equal(Us, resolved.Result.CommittedIn);
    }

    [Fact]
    public void Three_concurrent_versions_merged_in_any_order_end_with_the_same_record()
    {
        var versions = new[] { Write(null, Us, 10, "[1]"), Write(null, Eu, 12, "[2]"), Write(null, Apac, 11, "[3]") };
        foreach (var policy in new[] { ConflictPolicy.LastWriterWins, ConflictPolicy.Custom })
        {
            var results = Permutations(versions).Select(order => order.Skip(1).Aggregate(order[0], (held, incoming) =>
                ActiveActiveVersions.Resolve(Grain, held, incoming, policy, Union, "x", default).Result)).ToList();

            Assert.All(results, r => Assert.Equal(results[0].State, r.State));
            Assert.All(results, r => Assert.Equal(results[0] with { State = [] }, r with { State = [] }));
            Assert.Equal(policy == ConflictPolicy.Custom ? "[1,2,3]" : "[2]", StateOf(results[0]));
            Assert.Equal(3, results[0].Version);
        }
    }

    [Fact]
    public void A_merge_is_given_the_later_state_first_wherever_it_runs()
    {
        var early = Write(null, Us, 10, "\"early\"");
        var late = Write(null, Eu, 20, "\"late\"");
        var calls = new List<string>();
        byte[] Merge(byte[] later, byte[] earlier)
        {
            calls.Add(Encoding.UTF8.GetString(later) + Encoding.UTF8.GetString(earlier));
            return later;
        }

        ActiveActiveVersions.Resolve(Grain, early, late, ConflictPolicy.Custom, Merge, Us, default);
        ActiveActiveVersions.Resolve(Grain, late, early, ConflictPolicy.Custom, Merge, Eu, default);

        Assert.Equal(["\"late\"\"early\"", "\"late\"\"early\""], calls);
    }

    [Fact]
    public void A_merge_that_throws_keeps_the_later_version_and_reports_why()
    {
        var early = Write(null, Us, 10, "\"early\"");
        var late = Write(null, Eu, 20, "\"late\"");

        var resolved = ActiveActiveVersions.Resolve(Grain, early, late, ConflictPolicy.Custom, (_, _) => throw new FormatException("bad cart"), Us, default);

        Assert.Equal(ConflictOutcome.MergeFailed, resolved.Conflict.Outcome);
        Assert.Equal("merge failed: bad cart", resolved.Conflict.Detail);
        Assert.Equal("\"late\"", StateOf(resolved.Result));
        Assert.Equal(Us, resolved.Conflict.Loser!.CommittedIn);
        Assert.Equal(2, resolved.Result.Version);
    }

    [Fact]
    public void Versions_that_are_not_concurrent_are_refused()
    {
        var a = Write(null, Us, 10, "1");
        var b = Write(a, Eu, 11, "2");

        var refused = Assert.Throws<ArgumentException>(() => ActiveActiveVersions.Resolve(Grain, a, b, ConflictPolicy.LastWriterWins, null, Us, default));
        Assert.Contains("not concurrent", refused.Message);
    }

    [Fact]
    public void A_crdt_state_is_joined()
    {
        var us = PNCounter.Zero.Add(Us, 5);
        var eu = PNCounter.Zero.Add(Eu, -2);

        Assert.Equal(3, CrdtMerge<PNCounter>.Merge(us, eu).Value);
        Assert.Throws<InvalidOperationException>(() => CrdtMerge<string>.Merge("a", "b"));
    }

    private static IEnumerable<GeoRecord[]> Permutations(GeoRecord[] items) => items.Length <= 1
        ? [items]
        : items.SelectMany((item, i) => Permutations([.. items.Where((_, j) => j != i)]).Select(rest => (GeoRecord[])[item, .. rest]));
}
