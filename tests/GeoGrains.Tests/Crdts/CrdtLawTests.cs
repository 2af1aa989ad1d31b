using GeoGrains.Crdts;

namespace GeoGrains.Tests.Crdts;

/// <summary>
/// Property tests of every CRDT over random three-region histories: the join is commutative, associative and
/// idempotent, copies converge byte for byte in any merge order, JSON round trips are exact, and each type keeps the
/// effect of its operations as it promises once every copy is merged.
/// </summary>
public sealed class CrdtLawTests
{
    private static HybridTimestamp At(long physical) => new(physical, 0);

    [Fact]
    public void GCounter_is_a_join_and_counts_every_increment() =>
        CrdtHistory.Check(
            GCounter.Zero,
            (s, region, _, arg, _) => s.Increment(region, arg),
            (steps, merged) => Assert.Equal(steps.Where(s => s.Kind != CrdtHistory.MergeKind).Sum(s => (long)s.Arg), merged.Value));

    [Fact]
    public void PNCounter_is_a_join_and_ends_at_the_sum_of_every_increment_and_decrement() =>
        CrdtHistory.Check(
            PNCounter.Zero,
            (s, region, kind, arg, _) => s.Add(region, kind % 2 == 0 ? arg : -arg),
            (steps, merged) => Assert.Equal(steps.Where(s => s.Kind != CrdtHistory.MergeKind).Sum(s => s.Kind % 2 == 0 ? (long)s.Arg : -s.Arg), merged.Value));

    [Fact]
    public void GSet_is_a_join_and_holds_every_element_added() =>
        CrdtHistory.Check(
            GSet<int>.Empty,
            (s, _, _, arg, _) => s.Add(arg),
            (steps, merged) => Assert.Equal(steps.Where(s => s.Kind != CrdtHistory.MergeKind).Select(s => s.Arg).Distinct().Order(), merged.Elements));

    [Fact]
    public void ORSet_is_a_join_and_holds_every_element_whose_last_add_in_its_region_no_remove_saw() =>
        CrdtHistory.Check(
            ORSet<string>.Empty,
            (s, region, kind, arg, _) => kind < 2 ? s.Add(region, $"e{arg}") : s.Remove($"e{arg}"),
            (steps, merged) =>
            {
                // An element added and never removed anywhere is present.
                var added = steps.Where(s => s.Kind is < 2).Select(s => $"e{s.Arg}").ToHashSet();
                var removed = steps.Where(s => s.Kind is 2 or 3).Select(s => $"e{s.Arg}").ToHashSet();
                Assert.All(added.Except(removed), e => Assert.True(merged.Contains(e), $"{e} was added, never removed, and is missing from {merged}"));
                Assert.All(merged.Elements, e => Assert.Contains(e, added));
            });

    [Fact]
    public void LwwRegister_is_a_join_and_keeps_the_latest_assignment() =>
        CrdtHistory.Check(
            LwwRegister<string>.Initial("none"),
            (s, region, _, arg, clock) => s.Assign($"{region}:{clock}", At(arg), region),
            (steps, merged) =>
            {
                var assignments = steps.Select((s, i) => (s, i)).Where(x => x.s.Kind != CrdtHistory.MergeKind).ToList();
                if (assignments.Count == 0)
                {
                    Assert.Equal("none", merged.Value);
                    return;
                }

                // The highest timestamp, then the highest region (ordinal); in one region the later (higher clock) value.
                var best = assignments.Max(x => x.s.Arg);
                var region = assignments.Where(x => x.s.Arg == best).Select(x => CrdtHistory.Regions[x.s.Replica].Value).Max(StringComparer.Ordinal);
                Assert.Equal(At(best), merged.Timestamp);
                Assert.Equal(region, merged.Replica);
            });

    [Fact]
    public void MVRegister_is_a_join_and_keeps_only_assignments_no_other_one_saw() =>
        CrdtHistory.Check(
            MVRegister<string>.Empty,
            (s, region, _, arg, _) => s.Assign(region, $"v{arg}"),
            (steps, merged) =>
            {
                Assert.Equal(steps.Any(s => s.Kind != CrdtHistory.MergeKind), merged.Values.Count > 0);
                Assert.True(merged.Entries.Length <= CrdtHistory.Regions.Length, $"more concurrent values than regions: {merged}");
            });

    [Fact]
    public void LwwMap_is_a_join_and_each_key_keeps_its_latest_set_or_remove() =>
        CrdtHistory.Check(
            LwwMap<string, int>.Empty,
            (s, region, kind, arg, clock) => kind < 3 ? s.Set($"k{arg % 3}", arg, At(clock), region) : s.Remove($"k{arg % 3}", At(clock), region),
            (steps, merged) =>
            {
                // Clocks are unique here, so per key the last operation in the history wins.
                var last = steps.Where(s => s.Kind != CrdtHistory.MergeKind).GroupBy(s => $"k{s.Arg % 3}").ToDictionary(g => g.Key, g => g.Last());
                foreach (var (key, op) in last)
                {
                    Assert.Equal(op.Kind < 3, merged.TryGetValue(key, out var value));
                    if (op.Kind < 3)
                    {
                        Assert.Equal(op.Arg, value);
                    }
                }
            });

    [Fact]
    public void ORMap_of_counters_is_a_join_and_merges_concurrent_updates_of_a_key() =>
        CrdtHistory.Check(
            ORMap<string, PNCounter>.Empty,
            (s, region, kind, arg, _) => kind < 3 ? s.Update(region, $"k{arg % 3}", PNCounter.Zero, c => c.Add(region, arg + 1)) : s.Remove($"k{arg % 3}"),
            (steps, merged) =>
            {
                // Without removes, every key's counter is the sum of all its increments.
                if (steps.All(s => s.Kind != 3))
                {
                    foreach (var group in steps.Where(s => s.Kind != CrdtHistory.MergeKind).GroupBy(s => $"k{s.Arg % 3}"))
                    {
                        Assert.True(merged.TryGetValue(group.Key, out var counter));
                        Assert.Equal(group.Sum(s => (long)s.Arg + 1), counter!.Value);
                    }
                }
            });

    [Fact]
    public void VersionVector_is_a_join_and_orders_histories() =>
        CrdtHistory.Check(
            VersionVector.Empty,
            (s, region, _, _, _) => s.With(s.Next(region)),
            (steps, merged) => Assert.Equal(steps.Count(s => s.Kind != CrdtHistory.MergeKind), merged.Entries.Sum(e => e.Counter)));
}
