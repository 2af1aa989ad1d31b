using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using Orleans.Concurrency;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// Applies batches idempotently: a change no newer than the replica's version is skipped, so duplicated and reordered
/// batches leave every replica at its latest version. What it applied it hands to the region's warm activations of
/// those grains before acknowledging, so they answer reads from memory and a cold grain is not activated for it. The
/// sender's safe time (with the batch, or alone in a heartbeat) is taken in after that, on every silo of the region.
/// A change older than the stored version but not part of its history (an orphan: see <see cref="Lineage"/>) is
/// reconciled if this region owns its grain; a stored version this region committed that a newer owner's change would
/// replace without having seen it goes to that owner first (<see cref="IOrphanedVersions"/>). Versions of active-active grains
/// are applied by an <see cref="IConcurrentChangeApplier"/>.
/// </summary>
[StatelessWorker]
internal sealed class ReplicationReceiverGrain(
    LocalRegion region,
    GeoStore store,
    ReplicaVersions known,
    ReplicaNotifier notifier,
    ReplicationBatchCodec codec,
    HybridLogicalClock clock,
    ReplicationMetrics metrics,
    IOrphanedVersions orphans,
    IConcurrentChangeApplier activeActive) : Grain, IReplicationReceiverGrain
{
    public async Task<ReplicationAck> Apply(ReplicationBatch batch)
    {
        var changes = codec.Decode(batch);
        foreach (var change in changes)
        {
            clock.Observe(change.Record.CommittedAt, change.Record.CommittedIn.Value);
        }

        // Active-active grains' versions are ordered by their vectors, not by (epoch, version), and have no owner to hand orphans to.
        var concurrent = changes.Where(c => c.Record.Vector is not null).ToList();
        var owned = concurrent.Count == 0 ? changes : [.. changes.Where(c => c.Record.Vector is null)];
        var result = new ReplicaApplyResult();
        var again = new ReplicaApplyResult();
        List<(GrainId Grain, StoredGeoRecord Stored)> appliedToo = [];
        List<GrainId>? needWhole = null;
        try
        {
            await store.ApplyReplicasAsync(owned, known, orphans.MustHandOver, into: result);
            if (concurrent.Count > 0)
            {
                var activeActiveResult = await activeActive.ApplyAsync(concurrent, GrainFactory);
                appliedToo.AddRange(activeActiveResult.Applied);
                needWhole = activeActiveResult.NeedWholeState;
            }

            if (result.HeldBack is { Count: > 0 } held)
            {
                await orphans.HandOverAsync(held);
                await store.ApplyReplicasAsync([.. held.Select(h => h.Change)], known, into: again);
            }
        }
        catch (Exception)
        {
            // What the batch stored before the failure is skipped as not newer when the sender delivers the batch again, so
            // it reaches the warm activations now or never: they would serve the version before it until the next write.
            // No safe time: the batch is not applied.
            await notifier.NotifyAsync([.. result.Applied, .. appliedToo, .. again.Applied]);
            throw;
        }

        List<(GrainId Grain, StoredGeoRecord Stored)> applied = [.. result.Applied, .. appliedToo, .. again.Applied];
        List<(ReplicatedChange Change, GeoRecord Stored)> skipped = [.. result.Skipped, .. again.Skipped];

        var now = clock.Now().PhysicalMilliseconds;
        foreach (var (_, stored) in applied)
        {
            metrics.ChangeApplied(batch.Source, region.Id, now - stored.Record.CommittedAt.PhysicalMilliseconds);
        }

        if (applied.Count > 0 || batch.Freshness is not null)
        {
            await notifier.NotifyAsync(applied, batch.Freshness);
        }

        // After the batch is applied and announced: a hook or a merge that fails leaves the batch to be sent again.
        await orphans.ReconcileAsync(skipped);

        // A skipped change that the stored version does not hold is no acknowledgement: a writer waiting for it must learn
        // that this region follows a newer owner's lineage.
        var refused = skipped.Where(s => !Lineage.Holds(s.Stored, s.Change.Record)).Select(s => s.Change.Grain).Distinct().ToArray();
        return new ReplicationAck(
            applied.Count, changes.Length - applied.Count, needWhole is { Count: > 0 } ? [.. needWhole] : null, refused.Length > 0 ? refused : null);
    }

    public Task Heartbeat(SafeTimeReport report) => notifier.NotifyAsync([], report);

    public async Task<GeoRecord?> Read(GrainId grain) => (await store.ReadAsync(grain))?.Record;
}
