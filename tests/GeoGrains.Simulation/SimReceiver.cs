using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Simulation;

/// <summary>
/// Mirrors <c>ReplicationReceiverGrain</c> (src/GeoGrains.Runtime/Replication/ReplicationReceiverGrain.cs):
/// <see cref="Apply"/> ↔ <c>Apply</c> (observe commit times, <see cref="GeoStore.ApplyReplicasAsync"/>, answer a
/// <see cref="ReplicationAck"/>), <see cref="Read"/> ↔ <c>Read</c>. Left out: the batch codec (changes travel as objects),
/// active-active grains, warm-replica notices, and orphan hand-off and reconciliation (<c>OrphanHandOff.MustHandOver</c>,
/// <c>ReconcileAsync</c>), which concern <c>Async</c> orphans and change no acknowledgement. If the receiver changes, change
/// this file the same way.
/// </summary>
internal sealed class SimReceiver(SimNode node)
{
    public async Task<ReplicationAck> Apply(IReadOnlyList<ReplicatedChange> changes)
    {
        foreach (var change in changes)
        {
            node.Clock.Observe(change.Record.CommittedAt, change.Record.CommittedIn.Value);
        }

        var result = await node.Store.ApplyReplicasAsync(changes, node.Known);
        var applied = result.Applied;

        // A skipped change that the stored version does not hold is no acknowledgement.
        var refused = result.Skipped.Where(s => !Lineage.Holds(s.Stored, s.Change.Record)).Select(s => s.Change.Grain).Distinct().ToArray();
        return new ReplicationAck(applied.Count, changes.Count - applied.Count, null, refused.Length > 0 ? refused : null);
    }

    public async Task<GeoRecord?> Read(GrainId grain) => (await node.Store.ReadAsync(grain))?.Record;
}
