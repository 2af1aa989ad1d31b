using GeoGrains.Runtime.Reconciliation;
using Orleans.Runtime;

namespace GeoGrains.Tests.Reconciliation;

public sealed class ReconciliationConflictsTests
{
    private static readonly GrainId Grain = GrainId.Create("profile", "us-east/alice");
    private static readonly GeoGrainVersion Orphan = new(1, 7, "us-east", new HybridTimestamp(100, 0), """{"n":7}""");
    private static readonly GeoGrainVersion Current = new(1L << 32, 9, "eu-west", new HybridTimestamp(200, 0), """{"n":9}""");

    [Theory]
    [InlineData(ReconciliationOutcome.KeptCurrent, ConflictOutcome.KeptCurrent, true)]
    [InlineData(ReconciliationOutcome.HookFailed, ConflictOutcome.MergeFailed, true)]
    [InlineData(ReconciliationOutcome.Merged, ConflictOutcome.Merged, false)]
    public void A_reconciliation_is_a_conflict_entry_naming_the_orphan_as_loser_unless_it_was_merged(ReconciliationOutcome reconciled, ConflictOutcome expected, bool orphanLost)
    {
        var merged = new GeoGrainVersion(1L << 32, 10, "eu-west", new HybridTimestamp(300, 0), """{"n":16}""");
        var record = new ReconciliationRecord(Grain, Orphan, Current, reconciled, reconciled == ReconciliationOutcome.Merged ? merged : null,
            reconciled == ReconciliationOutcome.HookFailed ? "hook failed: boom" : string.Empty, "eu-west", new HybridTimestamp(300, 1));

        var conflict = ReconciliationConflicts.ToConflict(record);

        Assert.Equal((ConflictPolicy.Reconcile, expected), (conflict.Policy, conflict.Outcome));
        Assert.Equal("reconcile:1.7", conflict.Id);
        Assert.Equal((7L, 1L), (conflict.Remote.Version, conflict.Remote.Epoch));
        Assert.Equal((9L, 1L << 32), (conflict.Local.Version, conflict.Local.Epoch));
        Assert.Equal(orphanLost ? conflict.Remote : null, conflict.Loser);
        Assert.Equal(orphanLost ? Current.StateJson : merged.StateJson, conflict.ResultJson);
        Assert.Equal(record.Detail, conflict.Detail);
        Assert.Equal((RegionId)"eu-west", conflict.ResolvedIn);
    }
}
