namespace GeoGrains.Runtime.Replication;

/// <summary>Applies replicated batches to the region's replica store. Any key; activations are local to the receiving silo.</summary>
internal interface IReplicationReceiverGrain : IGrainWithIntegerKey
{
    Task<ReplicationAck> Apply(ReplicationBatch batch);
}
