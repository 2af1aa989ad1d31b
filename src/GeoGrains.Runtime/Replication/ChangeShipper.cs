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
/// </remarks>
internal sealed class ChangeShipper
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // Batches in flight after the link was down, before answers in time add more.
    private const int RestartWindow = 4;

    // Heartbeats waiting for an answer while the link is down (or the one waiting is overdue), at most: one leaves every
    // interval without waiting for the previous one (which waits for the call timeout on a cut link).
    private const int MaxProbes = 4;

    private readonly RegionId _source;
    private readonly RegionId _target;
    private readonly IRegionLinks _links;
    private readonly Action<RegionId, IReadOnlyList<ReplicatedChange>> _acknowledged;
    private readonly Action<RegionId, IReadOnlyList<ReplicatedChange>>? _refused;
    private readonly ReplicationBatchCodec _codec;
    private readonly ReplicationMetrics _metrics;
    private readonly ReplicationOptions _options;
    private readonly ILogger _logger;
    private readonly SafeTimeSource? _freshness;
    private readonly TimeSpan _callTimeout;
    private readonly Func<ReplicatedChange, RegionId, ReplicatedChange>? _deltas;
    private readonly TimeProvider _time;

    // Grains the target could not join a delta of: they ship whole until the target acknowledges one of their versions.
    private readonly HashSet<GrainId> _wholeState = [];
    private readonly UnacknowledgedChanges _unacknowledged = new();
    private readonly object _lock = new();
    private readonly Dictionary<GrainId, GeoRecord> _pending = [];

    // The grains in _pending, in the order they were first queued: batches take the oldest. (Enumerating the dictionary
    // instead walked every slot emptied by earlier batches, so draining a backlog took time growing with its square.)
    private readonly Queue<GrainId> _order = new();

    // Grains waiting in _pending whose writer waits for the target's acknowledgement, and what wakes the loop from the
    // batch interval when one arrives.
    private readonly HashSet<GrainId> _urgent = [];
    private TaskCompletionSource? _hurry;
    private readonly SemaphoreSlim _wakeUp = new(0);

    // How many batches may be in flight and are (see the remarks), guarded by _flow. Batches sent before the link last
    // came back (an earlier _linkEpoch) are on their way to a timeout and no longer count.
    private readonly object _flow = new();
    private int _linkEpoch;
    private int _inFlight;
    private int _window;
    private bool _linkDown;
    private long _lastAnswer = Never;
    private long _sentBeforeDecrease;
    private TimeSpan _fastest = TimeSpan.MaxValue;
    private TaskCompletionSource? _flowChanged;
    private readonly HashSet<Flight> _flights = [];
    private long _sequence;
    private long _lastBatch = Never;
    private long _lastReport = Never;
    private TimeSpan _backoff;
    private TaskCompletionSource _linkUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // What _lastAnswer, _lastBatch and _lastReport hold until it first happens. Not 0: timestamps count from an arbitrary
    // origin (the system clock's is the machine's boot), so 0 read as a time made the first batch wait out the batch
    // interval on a machine up for less than that, and a target that never answered look answered at boot.
    private const long Never = long.MinValue;

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
        _freshness = freshness;
        _window = options.MaxBatchesInFlight;
        _callTimeout = callTimeout ?? new GeoLinkOptions().CallTimeout;
        _deltas = deltas;
        _time = time ?? TimeProvider.System;
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
            var queued = _pending.TryGetValue(grain, out var waiting);
            var replaces = !queued || record.IsNewerThan(waiting);
            if (replaces)
            {
                if (!queued)
                {
                    _order.Enqueue(grain);
                }

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
            // Only changes still owed and that nothing newer has replaced are retried, so a healed link carries each grain's
            // latest version once, not every version; and a batch given up as lost whose answer came after all is not
            // sent (and acknowledged) a second time.
            bool owed;
            lock (_lock)
            {
                owed = _unacknowledged.Newest(change.Grain) is { } newest && !newest.IsNewerThan(change.Record);
            }

            if (owed)
            {
                Enqueue(change.Grain, change.Record);
            }
        }
    }

    // Returns how many of the changes were acknowledged for the first time: a batch sent again because it was late, not
    // lost, is acknowledged twice, and counted once.
    private int Acknowledged(IEnumerable<ReplicatedChange> changes)
    {
        var settled = 0;
        lock (_lock)
        {
            foreach (var change in changes)
            {
                settled += _unacknowledged.Acknowledged(change.Grain, change.Record) ? 1 : 0;
                _wholeState.Remove(change.Grain);
            }
        }

        return settled;
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

        Volatile.Write(ref _lastReport, _time.GetTimestamp());
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
                var epoch = await TakeSlotAsync(stopping);
                if (Since(_lastBatch) is { } sinceLastBatch && sinceLastBatch < _options.BatchInterval)
                {
                    await WaitOutBatchIntervalAsync(_options.BatchInterval - sinceLastBatch, stopping);
                }

                var batch = TakeBatch();
                if (batch.Count == 0)
                {
                    ReleaseSlot(epoch);
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

    private async Task HeartbeatAsync(CancellationToken stopping)
    {
        // One small message per interval and no storage I/O, none when a batch sent within the interval said as much
        // already. One at a time, so a target that does not answer is not piled up with them, unless the one waiting is
        // overdue (probably lost: the link was cut) or the link is down: then one every interval, up to MaxProbes waiting
        // at once, to see the link back within an interval rather than after the lost one's call timeout.
        var sent = new List<(Task Call, long SentAt)>();
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                bool down;
                TimeSpan overdue;
                lock (_flow)
                {
                    down = _linkDown;
                    overdue = Late() ?? _callTimeout;
                }

                sent.RemoveAll(h => h.Call.IsCompleted);
                var probing = down || sent.All(h => _time.GetElapsedTime(h.SentAt) > overdue);
                if ((!down && Since(Volatile.Read(ref _lastReport)) is { } sinceReport && sinceReport < _options.HeartbeatInterval)
                    || sent.Count >= (probing ? MaxProbes : 1)
                    || Report() is not { } report)
                {
                    continue;
                }

                sent.Add((SendHeartbeatAsync(report, stopping), _time.GetTimestamp()));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }

        await Task.WhenAll(sent.Select(h => h.Call));
    }

    private async Task SendHeartbeatAsync(SafeTimeReport report, CancellationToken stopping)
    {
        var sentAt = _time.GetTimestamp();
        try
        {
            await _links.InvokeAsync(_target, grains => grains.GetGrain<IReplicationReceiverGrain>(0).Heartbeat(report), stopping);
            _metrics.HeartbeatSent(_source, _target);
            HeartbeatAnswered(sentAt);
        }
        catch (RegionUnreachableException exception) when (!stopping.IsCancellationRequested)
        {
            _logger.LogDebug("Heartbeat from {Source} to {Target} was not answered: {Reason}", _source, _target, exception.Message);
        }
        catch (Exception exception) when (!stopping.IsCancellationRequested)
        {
            // Answered, if with an error: the link is up, and the batches, not the heartbeats, tell whether the target applies them.
            _logger.LogDebug("Heartbeat from {Source} to {Target} failed: {Reason}", _source, _target, exception.Message);
            lock (_flow)
            {
                LinkAnswered();
                FlowChanged();
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    // Waits until a batch may leave; returns the link epoch it leaves in.
    private async Task<int> TakeSlotAsync(CancellationToken stopping)
    {
        while (true)
        {
            Task changed;
            lock (_flow)
            {
                if (!_linkDown && _inFlight < _window)
                {
                    _inFlight++;
                    return _linkEpoch;
                }

                _flowChanged ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                changed = _flowChanged.Task;
            }

            await changed.WaitAsync(stopping);
        }
    }

    // A slot that no batch used, or whose batch waited out a backoff.
    private void ReleaseSlot(int epoch)
    {
        lock (_flow)
        {
            if (epoch == _linkEpoch)
            {
                _inFlight--;
                FlowChanged();
            }
        }
    }

    // Under _flow.
    private void FlowChanged()
    {
        _flowChanged?.TrySetResult();
        _flowChanged = null;
    }

    // How long ago a timestamp of _time was taken; null if it was Never.
    private TimeSpan? Since(long timestamp) => timestamp == Never ? null : _time.GetElapsedTime(timestamp);

    // Under _flow: the target answered something, so the link is up.
    private void LinkAnswered()
    {
        _lastAnswer = _time.GetTimestamp();
        if (_linkDown)
        {
            _linkDown = false;
            _window = Math.Min(RestartWindow, _options.MaxBatchesInFlight);
            _linkEpoch++;
            _inFlight = 0;
        }
    }

    // Under _flow: how long an answer may take before the target counts as behind: a quarter of what the call timeout
    // leaves past the round trip (the fastest answer yet, batch or heartbeat), which keeps a margin for the target's pace
    // to drop. Null before anything was answered.
    private TimeSpan? Late() => _fastest == TimeSpan.MaxValue ? null : _fastest + (_callTimeout - _fastest) / 4;

    // The batch left (as batch sequence).
    private void Departed(Flight flight, long sequence)
    {
        lock (_flow)
        {
            flight.Sequence = sequence;
            _flights.Add(flight);
        }
    }

    /// <summary>
    /// A heartbeat sent at <paramref name="sentAt"/> was answered: the link is up. Answered in time, it also says the
    /// target is not behind, so a batch sent before it, unanswered and late, was lost (in a partition that has healed
    /// meanwhile): it stops counting as in flight and its changes go back into the queue now, not after its call times out.
    /// </summary>
    private void HeartbeatAnswered(long sentAt)
    {
        List<ReplicatedChange>? lost = null;
        lock (_flow)
        {
            LinkAnswered();
            var now = _time.GetTimestamp();
            var took = _time.GetElapsedTime(sentAt, now);
            if (took < _fastest)
            {
                _fastest = took;
            }

            var late = Late()!.Value;
            if (took <= late)
            {
                foreach (var flight in _flights)
                {
                    if (flight.SentAt < sentAt && _time.GetElapsedTime(flight.SentAt, now) > late)
                    {
                        flight.GivenUp = true;
                        (lost ??= []).AddRange(flight.Changes);
                        if (flight.Epoch == _linkEpoch)
                        {
                            _inFlight--;
                        }
                    }
                }

                _flights.RemoveWhere(f => f.GivenUp);
            }

            FlowChanged();
        }

        if (lost is not null)
        {
            Retry(lost);
        }
    }

    /// <summary>
    /// The target answered <paramref name="flight"/>, with an acknowledgement (then it no longer counts as in flight; one in
    /// time lets one more batch be in flight, a late one halves them, once for the batches in flight then) or with an
    /// error (it keeps its place in flight until <see cref="ReleaseSlot"/>). Returns false if the batch was given up for
    /// lost meanwhile (its changes went back into the queue then).
    /// </summary>
    private bool Answered(Flight flight, bool acknowledged)
    {
        lock (_flow)
        {
            LinkAnswered();
            if (flight.GivenUp)
            {
                return false;
            }

            _flights.Remove(flight);
            if (acknowledged && flight.Epoch == _linkEpoch)
            {
                _inFlight--;
                var took = _time.GetElapsedTime(flight.SentAt);
                if (took < _fastest)
                {
                    _fastest = took;
                }

                if (took > Late())
                {
                    Slower(flight.Sequence);
                }
                else if (_window < _options.MaxBatchesInFlight)
                {
                    _window++;
                }
            }

            FlowChanged();
            return true;
        }
    }

    /// <summary>
    /// <paramref name="flight"/> was not answered: the link is down if nothing sent was answered since it left, else the
    /// target is behind (unless the batch left before the link last came back: then it was lost with the link). Returns
    /// whether the link is down, or null if the batch was given up for lost meanwhile (its changes went back then). A
    /// shipper without heartbeats (no safe times to report) cannot probe a link that is down: the batch keeps its place
    /// in flight and retries after a backoff, until <see cref="ReleaseSlot"/>.
    /// </summary>
    private bool? Unanswered(Flight flight)
    {
        lock (_flow)
        {
            if (flight.GivenUp)
            {
                return null;
            }

            _flights.Remove(flight);
            if (flight.Epoch != _linkEpoch)
            {
                return _linkDown;
            }

            var down = _lastAnswer == Never || _lastAnswer < flight.SentAt;
            if (down && _freshness is null)
            {
                return true;
            }

            _inFlight--;
            FlowChanged();
            if (down)
            {
                _linkDown = true;
                return true;
            }

            Slower(flight.Sequence);
            return false;
        }
    }

    // Under _flow: halves the batches in flight, once for those that were in flight when it last did.
    private void Slower(long sequence)
    {
        if (sequence > _sentBeforeDecrease)
        {
            _window = Math.Max(1, _window / 2);
            _sentBeforeDecrease = Interlocked.Read(ref _sequence);
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
            while (batch.Count < _options.MaxBatchSize && _order.TryDequeue(out var grain))
            {
                _pending.Remove(grain, out var record);
                batch.Add(new ReplicatedChange(grain, record!));
                _urgent.Remove(grain);
                _unacknowledged.Taken(grain);
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

        return [.. changes.Select((c, i) => whole[i] ? c : _deltas(c, _target))];
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

    private async Task SendAsync(List<ReplicatedChange> changes, int epoch, CancellationToken stopping)
    {
        var flight = new Flight(changes, epoch, _time.GetTimestamp());
        try
        {
            var wire = OnTheWire(changes);
            var batch = _codec.Encode(_source, Interlocked.Increment(ref _sequence), wire, _options.Compress, out var rawBytes, Report());
            Departed(flight, batch.Sequence);
            _metrics.BatchSent(_source, _target, changes.Count, rawBytes, batch.Payload.Length, wire.Count(c => c.DeltaBase is not null));
            var ack = await _links.InvokeAsync(_target, grains => grains.GetGrain<IReplicationReceiverGrain>(0).Apply(batch), stopping);
            Answered(flight, acknowledged: true);
            var applied = ack.NeedWholeState is { Length: > 0 } whole ? ShipWhole(changes, whole) : changes;
            _metrics.BatchAcknowledged(_source, _target, Acknowledged(applied));
            if (ack.Refused is { Length: > 0 } refusedGrains)
            {
                // Delivered, but the target follows a newer owner's lineage without them: no acknowledgement for a writer.
                var refused = refusedGrains.ToHashSet();
                _refused?.Invoke(_target, [.. applied.Where(c => refused.Contains(c.Grain))]);
                applied = [.. applied.Where(c => !refused.Contains(c.Grain))];
            }

            _acknowledged(_target, applied);

            _backoff = TimeSpan.Zero;

            // The target applies batches again: batches waiting out a backoff go now, not one backoff (up to 5 s) later each.
            Interlocked.Exchange(ref _linkUp, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
        catch (RegionUnreachableException exception) when (!stopping.IsCancellationRequested)
        {
            // Lost on the way or unanswered: back into the queue at once, where the link's state decides when it leaves.
            if (Unanswered(flight) is not { } down)
            {
                return;
            }

            _logger.LogDebug("Batch of {Count} changes from {Source} to {Target} was not answered ({State}): {Reason}",
                changes.Count, _source, _target, down ? "link down" : "target behind", exception.Message);
            if (down && _freshness is null)
            {
                try
                {
                    await WaitOutBackoffAsync(stopping);
                }
                finally
                {
                    ReleaseSlot(epoch);
                }
            }

            if (!stopping.IsCancellationRequested)
            {
                Retry(changes);
            }
        }
        catch (Exception exception) when (!stopping.IsCancellationRequested)
        {
            // The target answered with an error (its storage, a reconciliation that failed): not before a backoff, which
            // keeps the batch's place in flight.
            if (!Answered(flight, acknowledged: false))
            {
                return;
            }

            _logger.LogDebug("Batch of {Count} changes from {Source} to {Target} failed, retrying after a backoff: {Reason}",
                changes.Count, _source, _target, exception.Message);
            try
            {
                await WaitOutBackoffAsync(stopping);
                if (!stopping.IsCancellationRequested)
                {
                    Retry(changes);
                }
            }
            finally
            {
                ReleaseSlot(epoch);
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Stopping: the outbox keeps what was not acknowledged.
            lock (_flow)
            {
                _flights.Remove(flight);
            }
        }
    }

    // Holds the batch's slot for the backoff (250 ms doubling up to 5 s), or until another batch is acknowledged.
    private async Task WaitOutBackoffAsync(CancellationToken stopping)
    {
        var linkUp = Volatile.Read(ref _linkUp).Task;
        _backoff = _backoff == TimeSpan.Zero ? _options.RetryBackoff : TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, MaxBackoff.Ticks));
        using var waited = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        await Task.WhenAny(Task.Delay(_backoff, waited.Token), linkUp);
        await waited.CancelAsync();
    }

    /// <summary>A batch sent and not answered yet.</summary>
    private sealed class Flight(List<ReplicatedChange> changes, int epoch, long sentAt)
    {
        public List<ReplicatedChange> Changes { get; } = changes;

        public int Epoch { get; } = epoch;

        public long SentAt { get; } = sentAt;

        public long Sequence { get; set; }

        // Presumed lost (see HeartbeatAnswered): its changes went back into the queue and it no longer counts as in flight.
        public bool GivenUp { get; set; }
    }
}
