using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Simulation;

/// <summary>
/// Mirrors <c>ChangeShipper</c> (src/GeoGrains.Runtime/Replication/ChangeShipper.cs) for one target region:
/// <see cref="Ship"/> ↔ <c>ShipmentQueue.Enqueue</c> (src/GeoGrains.Runtime/Replication/ShipmentQueue.cs; coalescing:
/// only a grain's newest waiting version ships), <see cref="SendAsync"/> ↔ <c>ChangeShipper.SendAsync</c> (one batch, the
/// receiver's <c>Apply</c> through the link; an answer is reported to <see cref="Acknowledged"/> exactly as the real one
/// hands <c>applied</c> to its <c>_acknowledged</c> callback, which feeds
/// <see cref="ReplicationAcknowledgements.Acknowledged"/> and the outbox; unanswered batches are retried after a backoff,
/// as <c>InFlightWindow.WaitOutBackoffAsync</c> and <c>ShipmentQueue.Retry</c> do).
/// Left out: more than one batch in flight and flow control (<c>InFlightWindow</c>), heartbeats (<c>LinkHeartbeat</c>),
/// deltas (<c>DeltaChoice</c>), compression. The queue lives in <see cref="SimRegion.Outbox"/>, standing in for the
/// durable outbox markers a restarted region resumes.
/// If ChangeShipper.SendAsync or the acknowledgement callback changes, change this file the same way.
/// </summary>
internal sealed class SimShipper(SimWorld world, SimNode node, RegionId target)
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private bool _inFlight;
    private TimeSpan _backoff = TimeSpan.Zero;

    private Dictionary<GrainId, GeoRecord> Pending
    {
        get
        {
            if (!node.Region.Outbox.TryGetValue(target, out var pending))
            {
                node.Region.Outbox[target] = pending = [];
            }

            return pending;
        }
    }

    /// <summary>Resumes what the outbox holds (OutboxRecoveryGrain, after a restart).</summary>
    public void Start() => Kick();

    public void Ship(GrainId grain, GeoRecord record)
    {
        if (!Pending.TryGetValue(grain, out var queued) || record.IsNewerThan(queued))
        {
            Pending[grain] = record;
        }

        Kick();
    }

    private void Kick()
    {
        if (_inFlight || Pending.Count == 0)
        {
            return;
        }

        _inFlight = true;

        // In the region's context, not the writing silo's: the outbox outlives a silo (see SimNode).
        List<ReplicatedChange> batch = [.. Pending.Select(p => new ReplicatedChange(p.Key, p.Value))];
        node.Context.Run(() => _ = SendAsync(batch));
    }

    // ChangeShipper.SendAsync.
    private async Task SendAsync(List<ReplicatedChange> changes)
    {
        try
        {
            var ack = await world.Network.CallAsync(node.Region, world[target], $"apply {changes.Count}", n => n.Receiver.Apply(changes), world.Options.CallTimeout);
            world.Sim.Trace($"{node.Region.Id}: batch to {target} answered ({ack.Applied} applied, {ack.Stale} stale): {string.Join(", ", changes.Select(c => $"{c.Record.Epoch:x}.{c.Record.Version}"))}");
            var applied = ack.NeedWholeState is { Length: > 0 } ? throw new InvalidOperationException("No deltas are shipped here.") : changes;
            if (ack.Refused is { Length: > 0 } refusedGrains)
            {
                // Delivered, but the target follows a newer owner's lineage without them: no acknowledgement for a writer.
                var refused = refusedGrains.ToHashSet();
                Refused([.. applied.Where(c => refused.Contains(c.Grain))]);
                applied = [.. applied.Where(c => !refused.Contains(c.Grain))];
            }

            Acknowledged(applied);
            _backoff = TimeSpan.Zero;
        }
        catch (Exception exception)
        {
            // Lost on the way or unanswered, or answered with an error: back into the queue after a backoff.
            if (exception is not RegionUnreachableException)
            {
                world.Sim.Trace($"{node.Region.Id}: batch to {target} failed: {exception.GetType().Name}: {exception.Message}");
            }

            _backoff = _backoff == TimeSpan.Zero ? MinBackoff : TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, MaxBackoff.Ticks));
            await Task.Delay(_backoff, node.Region.Time);
        }

        _inFlight = false;
        Kick();
    }

    // The shipper's _refused callback (GeoReplication.Refused: the outbox is done with them, waiters fail).
    private void Refused(List<ReplicatedChange> refused)
    {
        node.Acknowledgements.Refused(target, refused);
        Delivered(refused);
    }

    // The shipper's _acknowledged callback (GeoReplication: the outbox and ReplicationAcknowledgements.Acknowledged).
    private void Acknowledged(List<ReplicatedChange> applied)
    {
        node.Acknowledgements.Acknowledged(target, applied);
        Delivered(applied);
    }

    private void Delivered(List<ReplicatedChange> applied)
    {
        foreach (var change in applied)
        {
            if (Pending.TryGetValue(change.Grain, out var queued) && ReferenceEquals(queued, change.Record))
            {
                Pending.Remove(change.Grain);
            }
        }
    }
}
