namespace GeoGrains.Runtime.Replication;

/// <summary>
/// Writes of this silo waiting for other regions to apply them (<see cref="ReplicationMode.SemiSync"/>,
/// <see cref="ReplicationMode.Sync"/>). Fed by the same acknowledgements as the <see cref="Outbox"/>: a region that
/// acknowledges a version of a grain has applied it or something newer, so it satisfies every wait for that version and
/// older ones of the grain.
/// </summary>
internal sealed class ReplicationAcknowledgements(IReadOnlyList<RegionId> targets, TimeProvider time)
{
    private readonly IReadOnlyList<RegionId> _targets = targets;
    private readonly TimeProvider _time = time;
    private readonly object _lock = new();
    private readonly Dictionary<GrainId, List<Waiter>> _waiting = [];

    /// <summary>Writes waiting now.</summary>
    public int Waiting
    {
        get { lock (_lock) return _waiting.Values.Sum(w => w.Count); }
    }

    /// <summary>
    /// Starts waiting for <paramref name="required"/> other regions to apply <paramref name="version"/> of
    /// <paramref name="grain"/>. Call it before the version is shipped, so that no acknowledgement can come first;
    /// dispose the waiter when done with it.
    /// </summary>
    public Waiter Expect(GrainId grain, GeoRecord version, int required)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(required);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(required, _targets.Count);
        var waiter = new Waiter(this, grain, version, required);
        if (required == 0)
        {
            waiter.Done.TrySetResult();
            return waiter;
        }

        lock (_lock)
        {
            if (!_waiting.TryGetValue(grain, out var waiters))
            {
                _waiting[grain] = waiters = [];
            }

            waiters.Add(waiter);
        }

        return waiter;
    }

    /// <summary><paramref name="target"/> applied these versions (or newer ones).</summary>
    public void Acknowledged(RegionId target, IEnumerable<ReplicatedChange> changes)
    {
        lock (_lock)
        {
            if (_waiting.Count == 0)
            {
                return;
            }

            foreach (var change in changes)
            {
                if (!_waiting.TryGetValue(change.Grain, out var waiters))
                {
                    continue;
                }

                for (var i = waiters.Count - 1; i >= 0; i--)
                {
                    var waiter = waiters[i];
                    if (!waiter.Version.IsNewerThan(change.Record) && waiter.Applied.Add(target) && waiter.Applied.Count >= waiter.Required)
                    {
                        waiters.RemoveAt(i);
                        waiter.Done.TrySetResult();
                    }
                }

                if (waiters.Count == 0)
                {
                    _waiting.Remove(change.Grain);
                }
            }
        }
    }

    private void Remove(Waiter waiter)
    {
        lock (_lock)
        {
            if (_waiting.TryGetValue(waiter.Grain, out var waiters) && waiters.Remove(waiter) && waiters.Count == 0)
            {
                _waiting.Remove(waiter.Grain);
            }
        }
    }

    private (List<RegionId> Applied, List<RegionId> Missing) Snapshot(Waiter waiter)
    {
        lock (_lock)
        {
            return ([.. _targets.Where(waiter.Applied.Contains)], [.. _targets.Where(t => !waiter.Applied.Contains(t))]);
        }
    }

    /// <summary>One write waiting for its acknowledgements.</summary>
    internal sealed class Waiter : IDisposable
    {
        private readonly ReplicationAcknowledgements _owner;

        internal Waiter(ReplicationAcknowledgements owner, GrainId grain, GeoRecord version, int required)
        {
            _owner = owner;
            Grain = grain;
            Version = version;
            Required = required;
        }

        public GrainId Grain { get; }

        public GeoRecord Version { get; }

        public int Required { get; }

        // Guarded by the owner's lock.
        internal HashSet<RegionId> Applied { get; } = [];

        internal TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>
        /// Completes once enough regions applied the version.
        /// </summary>
        /// <exception cref="ReplicationIncompleteException">They did not within <paramref name="timeout"/>; the exception names those that did and those that did not.</exception>
        public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            var started = _owner._time.GetTimestamp();
            try
            {
                await Done.Task.WaitAsync(timeout, _owner._time, cancellationToken);
            }
            catch (TimeoutException)
            {
                var (applied, missing) = _owner.Snapshot(this);
                throw new ReplicationIncompleteException(Grain.ToString(), Version.Version, Required, applied, missing, _owner._time.GetElapsedTime(started));
            }
        }

        /// <summary>Stops waiting; acknowledgements that come later only reach the outbox.</summary>
        public void Dispose() => _owner.Remove(this);
    }
}
