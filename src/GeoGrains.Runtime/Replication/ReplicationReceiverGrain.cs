using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Hosting;
using Orleans.Concurrency;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// Applies batches idempotently: a change no newer than the replica's version is skipped, so duplicated and reordered
/// batches leave every replica at its latest version.
/// </summary>
[StatelessWorker]
internal sealed class ReplicationReceiverGrain(
    LocalRegion region,
    GeoStore store,
    ReplicationBatchCodec codec,
    HybridLogicalClock clock,
    ReplicationMetrics metrics) : Grain, IReplicationReceiverGrain
{
    public Task<ReplicationAck> Apply(ReplicationBatch batch)
    {
        int applied = 0, stale = 0;
        foreach (var change in codec.Decode(batch))
        {
            var now = clock.Observe(change.Record.CommittedAt);
            if (store.ApplyReplica(change))
            {
                applied++;
                metrics.ChangeApplied(batch.Source, region.Id, now.PhysicalMilliseconds - change.Record.CommittedAt.PhysicalMilliseconds);
            }
            else
            {
                stale++;
            }
        }

        return Task.FromResult(new ReplicationAck(applied, stale));
    }
}
