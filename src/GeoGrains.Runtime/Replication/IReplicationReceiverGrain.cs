using GeoGrains.Runtime.Storage;
using Orleans.Concurrency;

namespace GeoGrains.Runtime.Replication;

/// <summary>Applies replicated batches to the region's replica store. Any key; activations are local to the receiving silo.</summary>
internal interface IReplicationReceiverGrain : IGrainWithIntegerKey
{
    Task<ReplicationAck> Apply(ReplicationBatch batch);

    /// <summary>A sending silo's safe time while it has no batch to send (see <see cref="ReplicaFreshness"/>).</summary>
    Task Heartbeat(SafeTimeReport report);

    /// <summary>The version of <paramref name="grain"/> this region has stored, if any: what a new owner gathers after a takeover.</summary>
    [ReadOnly]
    Task<GeoRecord?> Read(GrainId grain);
}
