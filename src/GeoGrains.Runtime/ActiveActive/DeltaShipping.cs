using GeoGrains.Crdts;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// Chooses what of an active-active grain's version travels to a region: the delta against the version that region
/// acknowledged last (known while this silo keeps the grain's outbox marker), when the state is a delta CRDT and the
/// delta is smaller, else the whole state. A region that cannot join a delta (<see cref="ReplicationAck.NeedWholeState"/>)
/// gets the whole state until it acknowledges one.
/// </summary>
internal sealed class DeltaShipping(StateDeltas deltas) : IDeltaShipping
{
    /// <summary>The change as it is sent to <paramref name="target"/>.</summary>
    public ReplicatedChange ForTarget(ReplicatedChange change, RegionId target, Func<GrainId, RegionId, GeoRecord?> acknowledged)
    {
        var record = change.Record;
        if (record.Vector is null
            || deltas.For(change.Grain) is not { } codec
            || acknowledged(change.Grain, target) is not { Vector: { } baseVector } acked
            || ActiveActiveVersions.Order(record, acked) != CausalOrder.After)
        {
            return change;
        }

        byte[] delta;
        try
        {
            delta = codec.Take(record.State, acked.State);
        }
        catch (InvalidCrdtOperationException)
        {
            // The acknowledged state is not one this state has seen (it cannot be, for versions stored in one region in
            // order, but the whole state is always right).
            return change;
        }

        return delta.Length < record.State.Length ? new ReplicatedChange(change.Grain, record with { State = delta }, baseVector) : change;
    }
}
