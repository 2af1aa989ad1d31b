using GeoGrains.Crdts;
using GeoGrains.Runtime.Ownership;

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
    public void A_crdt_policy_needs_the_state_to_be_a_crdt_of_itself()
    {
        var error = Assert.Throws<GeoGrainNotRegisteredException>(() =>
            ActiveActiveRules.Check(typeof(ForeignCrdtStateGrain), AnyRegion(ConflictPolicy.Crdt), GeoGrains.Consistency.Eventual));
        Assert.Contains($"ICrdt<{nameof(ForeignCrdtState)}>", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ForeignCrdtStateGrain), error.GrainType, StringComparison.Ordinal);
    }

    [Fact]
    public void A_custom_merge_counts_when_a_base_class_overrides_it_or_beside_unrelated_overloads_but_not_when_only_hidden()
    {
        ActiveActiveRules.Check(typeof(InheritedMergeGrain), AnyRegion(ConflictPolicy.Custom), GeoGrains.Consistency.Eventual);
        ActiveActiveRules.Check(typeof(OverloadedMergeGrain), AnyRegion(ConflictPolicy.Custom), GeoGrains.Consistency.Eventual);

        // A method that only hides MergeConcurrent is never called: conflicts would go to the base's, which throws.
        var hidden = Assert.Throws<GeoGrainNotRegisteredException>(() =>
            ActiveActiveRules.Check(typeof(HidingMergeGrain), AnyRegion(ConflictPolicy.Custom), GeoGrains.Consistency.Eventual));
        Assert.Contains("does not override MergeConcurrent", hidden.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(HidingMergeGrain), hidden.GrainType, StringComparison.Ordinal);
        var overloadOnly = Assert.Throws<GeoGrainNotRegisteredException>(() =>
            ActiveActiveRules.Check(typeof(OverloadOnlyGrain), AnyRegion(ConflictPolicy.Custom), GeoGrains.Consistency.Eventual));
        Assert.Contains("does not override MergeConcurrent", overloadOnly.Message, StringComparison.Ordinal);
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

    public sealed record ForeignCrdtState(GCounter Counter) : ICrdt<GCounter>
    {
        public GCounter Merge(GCounter other) => Counter.Merge(other);
    }

    private sealed class ForeignCrdtStateGrain : GeoGrain<ForeignCrdtState>
    {
        protected override ForeignCrdtState CreateInitialState() => new(GCounter.Zero);
    }

    private abstract class MergingBaseGrain : GeoGrain<Plain>
    {
        protected override Plain CreateInitialState() => new(0);

        protected override Plain MergeConcurrent(Plain later, Plain earlier) => new(Math.Max(later.N, earlier.N));
    }

    private sealed class InheritedMergeGrain : MergingBaseGrain;

    private sealed class OverloadedMergeGrain : GeoGrain<Plain>
    {
        protected override Plain CreateInitialState() => new(0);

        protected override Plain MergeConcurrent(Plain later, Plain earlier) => new(later.N + earlier.N);

        public Plain MergeConcurrent(Plain a, Plain b, Plain c) => new(a.N + b.N + c.N);
    }

    private sealed class OverloadOnlyGrain : GeoGrain<Plain>
    {
        protected override Plain CreateInitialState() => new(0);

        public Plain MergeConcurrent(Plain a, Plain b, Plain c) => new(a.N + b.N + c.N);
    }

    private sealed class HidingMergeGrain : GeoGrain<Plain>
    {
        protected override Plain CreateInitialState() => new(0);

        public new Plain MergeConcurrent(Plain later, Plain earlier) => new(later.N + earlier.N);
    }
}
