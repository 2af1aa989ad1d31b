using GeoGrains.Crdts;
using GeoGrains.Runtime;
using GeoGrains.Runtime.ActiveActive;

namespace GeoGrains.Tests.ActiveActive;

/// <summary>Declarations of active-active grains that cannot work are refused, naming the grain and the reason.</summary>
public sealed class ActiveActiveRulesTests
{
    private static GeoGrainAttribute AnyRegion(ConflictPolicy policy) => new() { Writers = GeoWriters.AnyRegion, Conflicts = policy };

    [Fact]
    public void A_crdt_policy_needs_a_crdt_state()
    {
        var error = Assert.Throws<GeoGrainNotRegisteredException>(() =>
            ActiveActiveRules.Check(typeof(PlainStateGrain), AnyRegion(ConflictPolicy.Crdt), GeoGrains.Consistency.Eventual));
        Assert.Contains(nameof(PlainStateGrain), error.Message, StringComparison.Ordinal);
        Assert.Contains("ICrdt", error.Message, StringComparison.Ordinal);

        ActiveActiveRules.Check(typeof(CounterGrain), AnyRegion(ConflictPolicy.Crdt), GeoGrains.Consistency.Eventual);
    }

    [Fact]
    public void A_custom_policy_needs_a_merge_and_reconcile_is_not_a_policy_to_declare()
    {
        var custom = Assert.Throws<GeoGrainNotRegisteredException>(() =>
            ActiveActiveRules.Check(typeof(PlainStateGrain), AnyRegion(ConflictPolicy.Custom), GeoGrains.Consistency.Eventual));
        Assert.Contains("MergeConcurrent", custom.Message, StringComparison.Ordinal);
        ActiveActiveRules.Check(typeof(MergingGrain), AnyRegion(ConflictPolicy.Custom), GeoGrains.Consistency.Eventual);

        var reconcile = Assert.Throws<GeoGrainNotRegisteredException>(() =>
            ActiveActiveRules.Check(typeof(PlainStateGrain), AnyRegion(ConflictPolicy.Reconcile), GeoGrains.Consistency.Eventual));
        Assert.Contains("Reconcile", reconcile.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_other_than_eventual_are_refused()
    {
        var error = Assert.Throws<InvalidConsistencyException>(() =>
            ActiveActiveRules.Check(typeof(CounterGrain), AnyRegion(ConflictPolicy.Crdt), GeoGrains.Consistency.Strong));
        Assert.Contains("Eventual", error.Message, StringComparison.Ordinal);
    }

    public sealed record Plain(int N);

    private sealed class PlainStateGrain : GeoGrain<Plain>
    {
        protected override Plain CreateInitialState() => new(0);
    }

    private sealed class CounterGrain : GeoGrain<PNCounter>
    {
        protected override PNCounter CreateInitialState() => PNCounter.Zero;
    }

    private sealed class MergingGrain : GeoGrain<Plain>
    {
        protected override Plain CreateInitialState() => new(0);

        protected override Plain MergeConcurrent(Plain later, Plain earlier) => new(later.N + earlier.N);
    }
}
