using GeoGrains.Configuration;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// The changes waiting to ship to one target region, for a <see cref="ChangeShipper"/>: only a grain's latest version
/// waits, batches take the grains in the order they were first queued, and a change that did not reach the target comes
/// back only while the target still owes it. It also keeps what the target owes (<see cref="UnacknowledgedChanges"/>),
/// queued or on its way, until acknowledged: the bound of the shipper's safe time.
/// </summary>
internal sealed class ShipmentQueue(int maxBatchSize)
{
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

    /// <summary>Grains waiting to ship.</summary>
    public int Count
    {
        get { lock (_lock) return _pending.Count; }
    }

    /// <summary>The commit time of the oldest version queued that the target has not acknowledged, if any.</summary>
    public HybridTimestamp? OldestOwed => _unacknowledged.Oldest;

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

    /// <summary>Changes that did not reach the target go back into the queue, those the target still owes.</summary>
    public void Retry(IEnumerable<ReplicatedChange> failed)
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

    /// <summary>
    /// The target applied these changes. Returns how many of them were acknowledged for the first time: a batch sent
    /// again because it was late, not lost, is acknowledged twice, and counted once.
    /// </summary>
    public int Acknowledged(IEnumerable<ReplicatedChange> changes)
    {
        var settled = 0;
        lock (_lock)
        {
            foreach (var change in changes)
            {
                settled += _unacknowledged.Acknowledged(change.Grain, change.Record) ? 1 : 0;
            }
        }

        return settled;
    }

    /// <summary>
    /// Waits until something was queued (or a batch taken left more waiting) since the last wait; the batch taken then may
    /// still be empty, if an earlier batch took what was queued.
    /// </summary>
    public Task WaitAsync(CancellationToken stopping) => _wakeUp.WaitAsync(stopping);

    /// <summary>Waits out what is left of the batch interval, unless an urgent version waits or arrives meanwhile.</summary>
    public async Task WaitOutBatchIntervalAsync(TimeSpan remaining, CancellationToken stopping)
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

    /// <summary>Takes the next batch: up to <see cref="ReplicationOptions.MaxBatchSize"/> grains, the oldest queued first.</summary>
    public List<ReplicatedChange> TakeBatch()
    {
        lock (_lock)
        {
            var batch = new List<ReplicatedChange>(Math.Min(_pending.Count, maxBatchSize));
            while (batch.Count < maxBatchSize && _order.TryDequeue(out var grain))
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
}
