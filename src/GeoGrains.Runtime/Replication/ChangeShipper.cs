using GeoGrains.Configuration;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// Ships committed changes from this silo to one other region. Changes waiting together are coalesced (only a grain's
/// latest version ships), batched and compressed; several batches may be in flight so a long round trip does not stall
/// the stream. An acknowledged batch is reported to the <see cref="Outbox"/>, which clears the durable markers, so a
/// restart or a healed partition resumes from there; the changes the target refused to take into the lineage it holds
/// are reported apart (delivered, but acknowledging no write). Every batch, and a heartbeat every
/// <see cref="ReplicationOptions.HeartbeatInterval"/> when no batch left meanwhile, tells the target this silo's safe
/// time (<see cref="SafeTime"/>).
/// </summary>
/// <remarks>
/// A batch that is not acknowledged goes back into the queue, where a newer version of a grain replaces it. If nothing
/// sent to the target was answered since the batch left, the link is down: no batch leaves until a heartbeat, sent every
/// interval meanwhile, is answered, so a healed partition is seen within an interval and finds every change queued
/// (coalesced), none on its way into the cut link. A batch still unanswered, and late, when a heartbeat sent after it is
/// answered in time was lost in a partition that healed before the batch's call timed out: its changes go back into the
/// queue then, not a call timeout later. If other batches were answered meanwhile, the target is behind, as it
/// is when a batch is answered after more than a quarter of what the call timeout leaves past the round trip: then the
/// batches allowed in flight (up to <see cref="ReplicationOptions.MaxBatchesInFlight"/>) halve, and every batch answered
/// in time adds one. After the link was down they start again from a few, so a backlog reaches the target as fast as it
/// applies it, not all at once to wait out the call timeout in its queue and be sent again. A batch the target refused
/// (an error, not a lost message) is retried after a backoff, sooner if another batch is acknowledged.
/// <para>
/// The shipper is the loop; what it keeps is in its parts: the changes waiting and owed in the <see cref="ShipmentQueue"/>,
/// the slots, link state and backoff in the <see cref="InFlightWindow"/>, safe times and heartbeats in the
/// <see cref="LinkHeartbeat"/>, and the grains that ship whole in the <see cref="DeltaChoice"/>.
/// </para>
/// </remarks>
internal sealed class ChangeShipper
{
    private readonly RegionId _source;
    private readonly RegionId _target;
    private readonly IRegionLinks _links;
    private readonly Action<RegionId, IReadOnlyList<ReplicatedChange>> _acknowledged;
    private readonly Action<RegionId, IReadOnlyList<ReplicatedChange>>? _refused;
    private readonly ReplicationBatchCodec _codec;
    private readonly ReplicationMetrics _metrics;
    private readonly ReplicationOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ShipmentQueue _queue;
    private readonly InFlightWindow _window;
    private readonly DeltaChoice _deltaChoice;

    // None without a SafeTimeSource: no safe times to report, and nothing to probe a link that is down with.
    private readonly LinkHeartbeat? _heartbeat;
    private long _lastBatch = Timestamps.Never;

    public ChangeShipper(
        RegionId source,
        RegionId target,
        IRegionLinks links,
        Action<RegionId, IReadOnlyList<ReplicatedChange>> acknowledged,
        ReplicationBatchCodec codec,
        ReplicationMetrics metrics,
        ReplicationOptions options,
        ILogger logger,
        SafeTimeSource? freshness = null,
        TimeSpan? callTimeout = null,
        Func<ReplicatedChange, RegionId, ReplicatedChange>? deltas = null,
        TimeProvider? time = null,
        Action<RegionId, IReadOnlyList<ReplicatedChange>>? refused = null)
    {
        _source = source;
        _target = target;
        _links = links;
        _acknowledged = acknowledged;
        _refused = refused;
        _codec = codec;
        _metrics = metrics;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _queue = new ShipmentQueue(options.MaxBatchSize);
        _window = new InFlightWindow(options, callTimeout ?? new GeoLinkOptions().CallTimeout, _time, probed: freshness is not null);
        _deltaChoice = new DeltaChoice(source, target, deltas, _queue, metrics, logger);
        _heartbeat = freshness is null ? null : new LinkHeartbeat(source, target, links, freshness, _queue, _window, options, metrics, logger, _time);
    }

    /// <inheritdoc cref="ShipmentQueue.Enqueue"/>
    public void Enqueue(GrainId grain, GeoRecord record, bool urgent = false) => _queue.Enqueue(grain, record, urgent);

    /// <summary>
    /// The latest time at or before which every change this silo committed has been applied by the target, as far as this
    /// silo knows (see <see cref="LinkHeartbeat.SafeTime"/>). <see langword="null"/> when the shipper was built without a
    /// <see cref="SafeTimeSource"/>.
    /// </summary>
    public HybridTimestamp? SafeTime() => _heartbeat?.SafeTime();

    public int PendingCount => _queue.Count;

    public async Task RunAsync(CancellationToken stopping)
    {
        var sends = new List<Task>();
        var heartbeats = _heartbeat?.RunAsync(stopping) ?? Task.CompletedTask;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await _queue.WaitAsync(stopping);
                var epoch = await _window.TakeSlotAsync(stopping);
                if (_time.Since(_lastBatch) is { } sinceLastBatch && sinceLastBatch < _options.BatchInterval)
                {
                    await _queue.WaitOutBatchIntervalAsync(_options.BatchInterval - sinceLastBatch, stopping);
                }

                var batch = _queue.TakeBatch();
                if (batch.Count == 0)
                {
                    _window.ReleaseSlot(epoch);
                    continue;
                }

                _lastBatch = _time.GetTimestamp();
                sends.RemoveAll(t => t.IsCompleted);
                sends.Add(SendAsync(batch, epoch, stopping));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: unacknowledged changes stay in the outbox for the next start.
        }

        await Task.WhenAll(sends);
        await heartbeats;
    }

    private async Task SendAsync(List<ReplicatedChange> changes, int epoch, CancellationToken stopping)
    {
        var flight = _window.Leaving(changes, epoch);
        try
        {
            var wire = _deltaChoice.OnTheWire(changes);
            var batch = _codec.Encode(_source, _window.NextSequence(), wire, _options.Compress, out var rawBytes, _heartbeat?.Report());
            _window.Departed(flight, batch.Sequence);
            _metrics.BatchSent(_source, _target, changes.Count, rawBytes, batch.Payload.Length, wire.Count(c => c.DeltaBase is not null));
            var ack = await _links.InvokeAsync(_target, grains => grains.GetGrain<IReplicationReceiverGrain>(0).Apply(batch), stopping);
            _window.Answered(flight, acknowledged: true);
            var applied = ack.NeedWholeState is { Length: > 0 } whole ? _deltaChoice.ShipWhole(changes, whole) : changes;
            _metrics.BatchAcknowledged(_source, _target, Acknowledged(applied));
            if (ack.Refused is { Length: > 0 } refusedGrains)
            {
                // Delivered, but the target follows a newer owner's lineage without them: no acknowledgement for a writer.
                var refused = refusedGrains.ToHashSet();
                _refused?.Invoke(_target, [.. applied.Where(c => refused.Contains(c.Grain))]);
                applied = [.. applied.Where(c => !refused.Contains(c.Grain))];
            }

            _acknowledged(_target, applied);
            _window.TargetApplies();
        }
        catch (RegionUnreachableException exception) when (!stopping.IsCancellationRequested)
        {
            // Lost on the way or unanswered: back into the queue at once, where the link's state decides when it leaves.
            if (_window.Unanswered(flight) is not { } down)
            {
                return;
            }

            _logger.LogDebug("Batch of {Count} changes from {Source} to {Target} was not answered ({State}): {Reason}",
                changes.Count, _source, _target, down ? "link down" : "target behind", exception.Message);
            if (down && _heartbeat is null)
            {
                try
                {
                    await _window.WaitOutBackoffAsync(stopping);
                }
                finally
                {
                    _window.ReleaseSlot(epoch);
                }
            }

            if (!stopping.IsCancellationRequested)
            {
                _queue.Retry(changes);
            }
        }
        catch (Exception exception) when (!stopping.IsCancellationRequested)
        {
            // The target answered with an error (its storage, a reconciliation that failed): not before a backoff, which
            // keeps the batch's place in flight.
            if (!_window.Answered(flight, acknowledged: false))
            {
                return;
            }

            _logger.LogDebug("Batch of {Count} changes from {Source} to {Target} failed, retrying after a backoff: {Reason}",
                changes.Count, _source, _target, exception.Message);
            try
            {
                await _window.WaitOutBackoffAsync(stopping);
                if (!stopping.IsCancellationRequested)
                {
                    _queue.Retry(changes);
                }
            }
            finally
            {
                _window.ReleaseSlot(epoch);
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Stopping: the outbox keeps what was not acknowledged.
            _window.Abandoned(flight);
        }
    }

    // Returns how many of the changes were acknowledged for the first time (see ShipmentQueue.Acknowledged); their grains
    // may ship as deltas again.
    private int Acknowledged(List<ReplicatedChange> changes)
    {
        var settled = _queue.Acknowledged(changes);
        _deltaChoice.Acknowledged(changes);
        return settled;
    }
}
