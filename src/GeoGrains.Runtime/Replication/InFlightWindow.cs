using GeoGrains.Configuration;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// The batches a <see cref="ChangeShipper"/> has on their way to its target region: a batch leaves only in a slot of the
/// window, which is closed while the link is down, narrows when the target falls behind and widens again as it answers
/// in time (up to <see cref="ReplicationOptions.MaxBatchesInFlight"/>); a batch the target refused waits out a backoff
/// in its slot. The answers, and their absence, tell the state of the link (see the remarks of
/// <see cref="ChangeShipper"/>).
/// </summary>
/// <param name="options">The batches allowed in flight at most, and the first backoff.</param>
/// <param name="callTimeout">How long a call to the target may take before it counts as unanswered.</param>
/// <param name="time">The clock that times answers.</param>
/// <param name="probed">
/// Whether heartbeats probe a link that is down (a shipper with safe times to report): without them, a batch unanswered
/// on a link that is down keeps its slot and retries after a backoff.
/// </param>
internal sealed class InFlightWindow(ReplicationOptions options, TimeSpan callTimeout, TimeProvider time, bool probed)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // Batches in flight after the link was down, before answers in time add more.
    private const int RestartWindow = 4;

    // How many batches may be in flight and are (see the remarks of ChangeShipper), guarded by _flow. Batches sent before
    // the link last came back (an earlier _linkEpoch) are on their way to a timeout and no longer count.
    private readonly object _flow = new();
    private int _linkEpoch;
    private int _inFlight;
    private int _window = options.MaxBatchesInFlight;
    private bool _linkDown;
    private long _lastAnswer = Timestamps.Never;
    private long _sentBeforeDecrease;
    private TimeSpan _fastest = TimeSpan.MaxValue;
    private TaskCompletionSource? _flowChanged;
    private readonly HashSet<Flight> _flights = [];
    private long _sequence;
    private TimeSpan _backoff;
    private TaskCompletionSource _linkUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Waits until a batch may leave; returns the link epoch it leaves in.
    public async Task<int> TakeSlotAsync(CancellationToken stopping)
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
    public void ReleaseSlot(int epoch)
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

    /// <summary>A batch of <paramref name="changes"/> is about to leave in a slot of <paramref name="epoch"/>: its time in flight starts now.</summary>
    public Flight Leaving(List<ReplicatedChange> changes, int epoch) => new(changes, epoch, time.GetTimestamp());

    /// <summary>The sequence number of the next batch.</summary>
    public long NextSequence() => Interlocked.Increment(ref _sequence);

    // The batch left (as batch sequence).
    public void Departed(Flight flight, long sequence)
    {
        lock (_flow)
        {
            flight.Sequence = sequence;
            _flights.Add(flight);
        }
    }

    /// <summary>
    /// Whether the link is down, and how long a heartbeat may wait for its answer before it is overdue: as long as an
    /// answer may take before the target counts as behind, or the call timeout before anything was answered.
    /// </summary>
    public (bool Down, TimeSpan Overdue) LinkState()
    {
        lock (_flow)
        {
            return (_linkDown, Late() ?? callTimeout);
        }
    }

    /// <summary>
    /// A heartbeat sent at <paramref name="sentAt"/> was answered: the link is up. Answered in time, it also says the
    /// target is not behind, so a batch sent before it, unanswered and late, was lost (in a partition that has healed
    /// meanwhile): it stops counting as in flight, and its changes, returned, go back into the queue now, not after its
    /// call times out.
    /// </summary>
    public List<ReplicatedChange>? HeartbeatAnswered(long sentAt)
    {
        List<ReplicatedChange>? lost = null;
        lock (_flow)
        {
            LinkAnswered();
            var now = time.GetTimestamp();
            var took = time.GetElapsedTime(sentAt, now);
            if (took < _fastest)
            {
                _fastest = took;
            }

            var late = Late()!.Value;
            if (took <= late)
            {
                foreach (var flight in _flights)
                {
                    if (flight.SentAt < sentAt && time.GetElapsedTime(flight.SentAt, now) > late)
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

        return lost;
    }

    /// <summary>A heartbeat was answered with an error: the link is up all the same.</summary>
    public void HeartbeatFailed()
    {
        lock (_flow)
        {
            LinkAnswered();
            FlowChanged();
        }
    }

    /// <summary>
    /// The target answered <paramref name="flight"/>, with an acknowledgement (then it no longer counts as in flight; one in
    /// time lets one more batch be in flight, a late one halves them, once for the batches in flight then) or with an
    /// error (it keeps its place in flight until <see cref="ReleaseSlot"/>). Returns false if the batch was given up for
    /// lost meanwhile (its changes went back into the queue then).
    /// </summary>
    public bool Answered(Flight flight, bool acknowledged)
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
                var took = time.GetElapsedTime(flight.SentAt);
                if (took < _fastest)
                {
                    _fastest = took;
                }

                if (took > Late())
                {
                    Slower(flight.Sequence);
                }
                else if (_window < options.MaxBatchesInFlight)
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
    public bool? Unanswered(Flight flight)
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

            var down = _lastAnswer == Timestamps.Never || _lastAnswer < flight.SentAt;
            if (down && !probed)
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

    /// <summary>Stopping: the batch is no longer waited for (the outbox keeps what was not acknowledged).</summary>
    public void Abandoned(Flight flight)
    {
        lock (_flow)
        {
            _flights.Remove(flight);
        }
    }

    // Holds the batch's slot for the backoff (250 ms doubling up to 5 s), or until another batch is acknowledged.
    public async Task WaitOutBackoffAsync(CancellationToken stopping)
    {
        var linkUp = Volatile.Read(ref _linkUp).Task;
        _backoff = _backoff == TimeSpan.Zero ? options.RetryBackoff : TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, MaxBackoff.Ticks));
        using var waited = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        await Task.WhenAny(Task.Delay(_backoff, waited.Token), linkUp);
        await waited.CancelAsync();
    }

    /// <summary>A batch was acknowledged and its changes handed on: the backoff starts again from its shortest.</summary>
    public void TargetApplies()
    {
        _backoff = TimeSpan.Zero;

        // The target applies batches again: batches waiting out a backoff go now, not one backoff (up to 5 s) later each.
        Interlocked.Exchange(ref _linkUp, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
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

    // Under _flow.
    private void FlowChanged()
    {
        _flowChanged?.TrySetResult();
        _flowChanged = null;
    }

    // Under _flow: the target answered something, so the link is up.
    private void LinkAnswered()
    {
        _lastAnswer = time.GetTimestamp();
        if (_linkDown)
        {
            _linkDown = false;
            _window = Math.Min(RestartWindow, options.MaxBatchesInFlight);
            _linkEpoch++;
            _inFlight = 0;
        }
    }

    // Under _flow: how long an answer may take before the target counts as behind: a quarter of what the call timeout
    // leaves past the round trip (the fastest answer yet, batch or heartbeat), which keeps a margin for the target's pace
    // to drop. Null before anything was answered.
    private TimeSpan? Late() => _fastest == TimeSpan.MaxValue ? null : _fastest + (callTimeout - _fastest) / 4;

    /// <summary>A batch sent and not answered yet.</summary>
    internal sealed class Flight(List<ReplicatedChange> changes, int epoch, long sentAt)
    {
        public List<ReplicatedChange> Changes { get; } = changes;

        public int Epoch { get; } = epoch;

        public long SentAt { get; } = sentAt;

        public long Sequence { get; set; }

        // Presumed lost (see HeartbeatAnswered): its changes went back into the queue and it no longer counts as in flight.
        public bool GivenUp { get; set; }
    }
}
