using System.Diagnostics;
using GeoGrains.Runtime.Links;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// Ships committed changes from this silo to one other region. Changes waiting together are coalesced (only a grain's
/// latest version ships), batched and compressed; several batches may be in flight so a long round trip does not stall
/// the stream. A batch that is not acknowledged goes back into the queue and is retried with backoff; an acknowledged
/// one is reported to the <see cref="Outbox"/>, which clears the durable markers, so a restart or a healed partition resumes from there.
/// Every batch, and a heartbeat every <see cref="ReplicationOptions.HeartbeatInterval"/> when no batch left meanwhile,
/// tells the target this silo's safe time (<see cref="SafeTime"/>).
/// </summary>
internal sealed class ChangeShipper
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly RegionId _source;
    private readonly RegionId _target;
    private readonly IRegionLinks _links;
    private readonly Action<RegionId, IReadOnlyList<ReplicatedChange>> _acknowledged;
    private readonly ReplicationBatchCodec _codec;
    private readonly ReplicationMetrics _metrics;
    private readonly ReplicationOptions _options;
    private readonly ILogger _logger;
    private readonly SafeTimeSource? _freshness;
    private readonly ActiveActive.DeltaShipping? _deltas;

    // Grains the target could not join a delta of: they ship whole until the target acknowledges one of their versions.
    private readonly HashSet<GrainId> _wholeState = [];
    private readonly UnacknowledgedChanges _unacknowledged = new();
    private readonly object _lock = new();
    private readonly Dictionary<GrainId, GeoRecord> _pending = [];

    // Grains waiting in _pending whose writer waits for the target's acknowledgement, and what wakes the loop from the
    // batch interval when one arrives.
    private readonly HashSet<GrainId> _urgent = [];
    private TaskCompletionSource? _hurry;
    private readonly SemaphoreSlim _inFlight;
    private readonly SemaphoreSlim _wakeUp = new(0);
    private long _sequence;
    private long _lastBatch;
    private long _lastReport;
    private TimeSpan _backoff;
    private TaskCompletionSource _linkUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
        ActiveActive.DeltaShipping? deltas = null)
    {
        _source = source;
        _target = target;
        _links = links;
        _acknowledged = acknowledged;
        _codec = codec;
        _metrics = metrics;
        _options = options;
        _logger = logger;
        _freshness = freshness;
        _deltas = deltas;
        _inFlight = new SemaphoreSlim(options.MaxBatchesInFlight);
    }

    /// <summary>
    /// Queues a version to ship; an older version of the same grain still waiting is replaced. An
    /// <paramref name="urgent"/> version has a writer waiting for the target to apply it: the batch that carries it leaves
    /// without waiting out <see cref="ReplicationOptions.BatchInterval"/>.
    /// </summary>
    public void Enqueue(GrainId grain, GeoRecord record, bool urgent = false)
    {
        TaskCompletionSource? hurry = null;
        lock (_lock)
        {
            var replaces = !_pending.TryGetValue(grain, out var waiting) || record.IsNewerThan(waiting);
            if (replaces)
            {
                _pending[grain] = record;
                _unacknowledged.Queued(grain, record);
            }

            if (urgent)
            {
                _urgent.Add(grain);
                hurry = _hurry;
            }
            else if (!replaces)
            {
                return;
            }
        }

        hurry?.TrySetResult();
        _wakeUp.Release();
    }

    private void Retry(IEnumerable<ReplicatedChange> failed)
    {
        foreach (var change in failed)
        {
            // Only changes nothing newer has replaced are retried, so a healed link carries each grain's latest version
            // once, not every version.
            bool superseded;
            lock (_lock)
            {
                superseded = _unacknowledged.Newest(change.Grain) is { } newest && newest.IsNewerThan(change.Record);
            }

            if (!superseded)
            {
                Enqueue(change.Grain, change.Record);
            }
        }
    }

    private void Acknowledged(IEnumerable<ReplicatedChange> changes)
    {
        lock (_lock)
        {
            foreach (var change in changes)
            {
                _unacknowledged.Acknowledged(change.Grain, change.Record);
                _wholeState.Remove(change.Grain);
            }
        }
    }

    /// <summary>
    /// The latest time at or before which every change this silo committed has been applied by the target, as far as this
    /// silo knows: before the oldest change the target has not acknowledged and before every commit still in progress,
    /// else the clock's now. <see langword="null"/> when the shipper was built without a <see cref="SafeTimeSource"/>.
    /// </summary>
    public HybridTimestamp? SafeTime()
    {
        if (_freshness is null)
        {
            return null;
        }

        // In this order: a commit is queued here before it stops being in progress, so reading the other way round
        // could miss one that moves between the two reads.
        var floor = _freshness.Floor();
        return _unacknowledged.Oldest is { } oldest ? HybridTimestampOrder.Min(floor, oldest.Before()) : floor;
    }

    private SafeTimeReport? Report()
    {
        if (SafeTime() is not { } safeTime)
        {
            return null;
        }

        Volatile.Write(ref _lastReport, Stopwatch.GetTimestamp());
        return new SafeTimeReport(_source, _freshness!.Silo, safeTime, _freshness.ActiveSilos());
    }

    public int PendingCount
    {
        get { lock (_lock) return _pending.Count; }
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        var sends = new List<Task>();
        var heartbeats = _freshness is null ? Task.CompletedTask : HeartbeatAsync(stopping);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await _wakeUp.WaitAsync(stopping);
                await _inFlight.WaitAsync(stopping);
                var sinceLastBatch = Stopwatch.GetElapsedTime(_lastBatch);
                if (sinceLastBatch < _options.BatchInterval)
                {
                    await WaitOutBatchIntervalAsync(_options.BatchInterval - sinceLastBatch, stopping);
                }

                var batch = TakeBatch();
                if (batch.Count == 0)
                {
                    _inFlight.Release();
                    continue;
                }

                _lastBatch = Stopwatch.GetTimestamp();
                sends.RemoveAll(t => t.IsCompleted);
                sends.Add(SendAsync(batch, stopping));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: unacknowledged changes stay in the outbox for the next start.
        }

        await Task.WhenAll(sends);
        await heartbeats;
    }

    private async Task HeartbeatAsync(CancellationToken stopping)
    {
        // One small message per interval and no storage I/O; one at a time, so a target that does not answer is not
        // piled up with heartbeats. A batch sent within the interval said as much already.
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                if (Stopwatch.GetElapsedTime(Volatile.Read(ref _lastReport)) < _options.HeartbeatInterval || Report() is not { } report)
                {
                    continue;
                }

                try
                {
                    await _links.InvokeAsync(_target, grains => grains.GetGrain<IReplicationReceiverGrain>(0).Heartbeat(report), stopping);
                    _metrics.HeartbeatSent(_source, _target);
                }
                catch (Exception exception) when (!stopping.IsCancellationRequested)
                {
                    _logger.LogDebug("Heartbeat from {Source} to {Target} failed: {Reason}", _source, _target, exception.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task WaitOutBatchIntervalAsync(TimeSpan remaining, CancellationToken stopping)
    {
        Task hurry;
        lock (_lock)
        {
            if (_urgent.Count > 0)
            {
                return;
            }

            _hurry = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            hurry = _hurry.Task;
        }

        await Task.WhenAny(DelayLine.Shared.Delay(remaining), hurry).WaitAsync(stopping);
        lock (_lock)
        {
            _hurry = null;
        }
    }

    private List<ReplicatedChange> TakeBatch()
    {
        lock (_lock)
        {
            var batch = new List<ReplicatedChange>(Math.Min(_pending.Count, _options.MaxBatchSize));
            foreach (var (grain, record) in _pending)
            {
                batch.Add(new ReplicatedChange(grain, record));
                if (batch.Count == _options.MaxBatchSize)
                {
                    break;
                }
            }

            foreach (var change in batch)
            {
                _pending.Remove(change.Grain);
                _urgent.Remove(change.Grain);
                _unacknowledged.Taken(change.Grain);
            }

            if (_pending.Count > 0)
            {
                // More is waiting than one batch holds: come round again without a new enqueue.
                _wakeUp.Release();
            }

            return batch;
        }
    }

    // What the batch carries: the changes, each as a delta where that is smaller (the shipper keeps the whole versions:
    // acknowledgements, retries and the next delta are about them).
    private IReadOnlyList<ReplicatedChange> OnTheWire(List<ReplicatedChange> changes)
    {
        if (_deltas is null)
        {
            return changes;
        }

        bool[] whole;
        lock (_lock)
        {
            whole = [.. changes.Select(c => _wholeState.Contains(c.Grain))];
        }

        return [.. changes.Select((c, i) => whole[i] ? c : _deltas.ForTarget(c, _target))];
    }

    // The target could not join these grains' deltas: they are not applied there, and go again whole.
    private List<ReplicatedChange> ShipWhole(List<ReplicatedChange> changes, GrainId[] whole)
    {
        var refused = whole.ToHashSet();
        lock (_lock)
        {
            _wholeState.UnionWith(refused);
        }

        _metrics.DeltasRefused(_source, _target, refused.Count);
        _logger.LogDebug("Region {Target} could not join the deltas of {Count} grains from {Source}; shipping them whole", _target, refused.Count, _source);
        Retry(changes.Where(c => refused.Contains(c.Grain)));
        return [.. changes.Where(c => !refused.Contains(c.Grain))];
    }

    private async Task SendAsync(List<ReplicatedChange> changes, CancellationToken stopping)
    {
        try
        {
            var wire = OnTheWire(changes);
            var batch = _codec.Encode(_source, Interlocked.Increment(ref _sequence), wire, _options.Compress, out var rawBytes, Report());
            _metrics.BatchSent(_source, _target, changes.Count, rawBytes, batch.Payload.Length, wire.Count(c => c.DeltaBase is not null));
            var ack = await _links.InvokeAsync(_target, grains => grains.GetGrain<IReplicationReceiverGrain>(0).Apply(batch), stopping);
            var applied = ack.NeedWholeState is { Length: > 0 } whole ? ShipWhole(changes, whole) : changes;
            _metrics.BatchAcknowledged(_source, _target, applied.Count);
            Acknowledged(applied);
            _acknowledged(_target, applied);

            _backoff = TimeSpan.Zero;

            // The link works again: batches waiting out their backoff go now, not one backoff (up to 5 s) later each.
            Interlocked.Exchange(ref _linkUp, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
        catch (Exception exception) when (!stopping.IsCancellationRequested)
        {
            var linkUp = Volatile.Read(ref _linkUp).Task;
            _backoff = _backoff == TimeSpan.Zero ? _options.RetryBackoff : TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, MaxBackoff.Ticks));
            _logger.LogDebug("Batch of {Count} changes from {Source} to {Target} failed, retrying in {Backoff}: {Reason}",
                changes.Count, _source, _target, _backoff, exception.Message);
            using (var waited = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                await Task.WhenAny(Task.Delay(_backoff, waited.Token), linkUp);
                await waited.CancelAsync();
            }

            if (stopping.IsCancellationRequested)
            {
                return;
            }

            Retry(changes);
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Stopping: the outbox keeps what was not acknowledged.
        }
        finally
        {
            _inFlight.Release();
        }
    }
}
