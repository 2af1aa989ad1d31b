using GeoGrains.Crdts;

namespace GeoGrains.Runtime.Reconciliation;

/// <summary>
/// A failover's reconciliation as an entry of the conflict feed: one feed lists every write that lost or was merged,
/// whether two regions of an active-active grain wrote concurrently or a failed region's orphaned version met the new
/// owner's state.
/// </summary>
internal static class ReconciliationConflicts
{
    public static ConflictRecord ToConflict(ReconciliationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var orphaned = Side(record.Orphaned);
        var current = Side(record.Current);
        var (outcome, loser) = record.Outcome switch
        {
            ReconciliationOutcome.Merged => (ConflictOutcome.Merged, (ConflictVersion?)null),
            ReconciliationOutcome.HookFailed => (ConflictOutcome.MergeFailed, orphaned),
            _ => (ConflictOutcome.KeptCurrent, orphaned),
        };
        return new ConflictRecord(
            record.Grain,
            $"reconcile:{record.Orphaned.Epoch}.{record.Orphaned.Version}",
            current,
            orphaned,
            ConflictPolicy.Reconcile,
            outcome,
            loser,
            (record.Result ?? record.Current).StateJson,
            record.Detail,
            record.ResolvedIn,
            record.ResolvedAt);
    }

    private static ConflictVersion Side(GeoGrainVersion version) =>
        new(version.CommittedIn, version.CommittedAt, VersionVector.Empty, version.StateJson, version.Epoch, version.Version);
}
