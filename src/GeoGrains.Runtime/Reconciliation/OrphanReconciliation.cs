using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;

namespace GeoGrains.Runtime.Reconciliation;

/// <summary>
/// Reconciles a version of an older epoch that the grain's current lineage never saw (an orphan of a takeover) at the
/// grain's owner: the application's hook decides, and what it decided is recorded and published. Run in the grain's turn,
/// after the turn checked ownership and lease; a merge is committed through the turn as the owner's <c>Async</c> write.
/// </summary>
internal sealed class OrphanReconciliation(
    LocalRegion region, ReconciliationStore reconciliations, ReconciliationPublisher reconciliationFeed, HybridLogicalClock clock)
{
    /// <summary>
    /// Runs <paramref name="hook"/> on the current and the orphaned state: a state it returns is committed as a new version
    /// (by <paramref name="commit"/>, in the same atomic write as the record); otherwise (null, or it threw) the current state
    /// stays and only the record is written. A version that is not an orphan of <paramref name="stored"/> changes nothing
    /// (null); one recorded before returns its record.
    /// </summary>
    /// <param name="grain">The grain.</param>
    /// <param name="stored">The version the owner holds.</param>
    /// <param name="currentState">Reads the activation's current state.</param>
    /// <param name="orphaned">The orphaned version.</param>
    /// <param name="hook">The grain's reconciliation hook.</param>
    /// <param name="commit">
    /// Commits a change of the state in the grain's turn, with a row written in the same atomic write (made from the stored
    /// version the change was made to and the version to commit).
    /// </param>
    public async Task<ReconciliationRecord?> ReconcileAsync<TState>(
        GrainId grain,
        StoredGeoRecord? stored,
        Func<TState> currentState,
        GeoGrainVersion orphaned,
        Func<TState, TState, TState?> hook,
        Func<Func<TState, TState>, Func<StoredGeoRecord?, GeoRecord, Task<TableWrite>>, Task> commit)
        where TState : class
    {
        var orphan = GeoRecord.Of(orphaned);
        if (stored is null || !Lineage.IsOrphan(orphan, stored.Record))
        {
            return null;
        }

        if (await reconciliations.ReadAsync(grain, orphaned.Epoch, orphaned.Version) is { } recorded)
        {
            return recorded;
        }

        // The hook is the application's code: whatever it throws is recorded, and the grain goes on as it was.
        var current = currentState();
        TState? orphanedState = null;
        TState? merged = null;
        string? failure = null;
        try
        {
            orphanedState = GeoStateSerializer.Deserialize<TState>(orphan.State);
            merged = hook(current, orphanedState);
        }
        catch (Exception exception)
        {
            failure = orphanedState is null ? $"hook failed: the orphaned state could not be read: {exception.Message}" : $"hook failed: {exception.Message}";
        }

        if (merged is null)
        {
            var record = new ReconciliationRecord(
                grain, orphaned, stored.Record.ToVersion(), failure is null ? ReconciliationOutcome.KeptCurrent : ReconciliationOutcome.HookFailed,
                null, failure ?? string.Empty, region.Id, clock.Now());
            var (kept, inserted) = await reconciliations.InsertIfAbsentAsync(record);
            if (inserted)
            {
                await reconciliationFeed.PublishAsync(kept);
            }

            return kept;
        }

        // Written as the owner's Async write: the merge is durable here when this returns, and ships to every region.
        ReconciliationRecord? made = null;
        await commit(state => ReferenceEquals(state, current) ? merged : hook(state, orphanedState!) ?? state, async (before, next) =>
        {
            made = new ReconciliationRecord(
                grain, orphaned, (before?.Record ?? stored.Record).ToVersion(), ReconciliationOutcome.Merged, next.ToVersion(), string.Empty, region.Id, next.CommittedAt);
            await reconciliations.IndexAsync(made);
            return reconciliations.InsertWrite(made);
        });
        await reconciliationFeed.PublishAsync(made!);
        return made;
    }
}
