using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// Writes of this silo waiting for other regions to apply them (<see cref="ReplicationMode.SemiSync"/>,
/// <see cref="ReplicationMode.Sync"/>). Fed by the same acknowledgements as the <see cref="Outbox"/>: a region that
/// acknowledges a version of a grain holds it, or a later version of the same epoch, in the lineage it stores
/// (<see cref="Lineage.Holds"/>), so it satisfies every wait for that version and older ones of the grain's epoch.
/// </summary>
/// <remarks>
/// Only acknowledgements from the regions a write is told are <em>eligible</em> count: the regions a takeover's promotion
/// would read (members, not away). A region that refuses the version (it follows a newer owner's lineage) ends the wait
/// at once with <see cref="OwnershipLostException"/>: the grain moved, and the write must not be acknowledged.
/// </remarks>
internal sealed class ReplicationAcknowledgements(IReadOnlyList<RegionId> targets, TimeProvider time, RegionId? region = null)
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
    /// Starts waiting for <paramref name="required"/> of the <paramref name="eligible"/> other regions (every target when
    /// null) to apply <paramref name="version"/> of <paramref name="grain"/>. Call it before the version is shipped, so
    /// that no acknowledgement can come first; dispose the waiter when done with it. When fewer regions are eligible than
    /// required, the wait fails at once with <see cref="ReplicationIncompleteException"/>.
    /// </summary>
    public Waiter Expect(GrainId grain, GeoRecord version, int required, IReadOnlyCollection<RegionId>? eligible = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(required);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(required, _targets.Count);
        var counted = eligible is null ? _targets.ToHashSet() : _targets.Where(eligible.Contains).ToHashSet();
        var waiter = new Waiter(this, grain, version, required, counted);
        if (required == 0)
        {
            waiter.Done.TrySetResult();
            return waiter;
        }

        if (counted.Count < required)
        {
            waiter.Done.TrySetException(waiter.Incomplete(TimeSpan.Zero));
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

    /// <summary><paramref name="target"/> holds these versions (or later ones of their epochs) in the lineage it stores.</summary>
    public void Acknowledged(RegionId target, IEnumerable<ReplicatedChange> changes) =>
        Settle(changes, (waiter, change) =>
        {
            if (waiter.Eligible.Contains(target) && Covers(change.Record, waiter.Version) && waiter.Applied.Add(target) && waiter.Applied.Count >= waiter.Required)
            {
                waiter.Done.TrySetResult();
                return true;
            }

            return false;
        });

    /// <summary>
    /// <paramref name="target"/> received these versions but holds a newer owner's lineage that does not continue from
    /// them: every write of those grains waiting for a version of that epoch up to the refused one fails.
    /// </summary>
    public void Refused(RegionId target, IEnumerable<ReplicatedChange> changes) =>
        Settle(changes, (waiter, change) =>
        {
            if (!Covers(change.Record, waiter.Version))
            {
                return false;
            }

            waiter.Done.TrySetException(new OwnershipLostException(
                waiter.Grain.ToString(), region ?? default, waiter.Version.Epoch, waiter.Version.Version,
                $"region '{target}' holds a newer owner's version that did not continue from it"));
            return true;
        });

    // Whether a region holding `held` (of its epoch's lineage) has `waited` for certain.
    private static bool Covers(GeoRecord held, GeoRecord waited) => held.Epoch == waited.Epoch && held.Version >= waited.Version;

    // Offers each change to the waiters of its grain; `done` says whether a waiter is finished (it leaves the registry).
    private void Settle(IEnumerable<ReplicatedChange> changes, Func<Waiter, ReplicatedChange, bool> done)
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
                    if (done(waiters[i], change))
                    {
                        waiters.RemoveAt(i);
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

    /// <summary>One write waiting for its acknowledgements.</summary>
    internal sealed class Waiter : IDisposable
    {
        private readonly ReplicationAcknowledgements _owner;
        private readonly long _started;

        internal Waiter(ReplicationAcknowledgements owner, GrainId grain, GeoRecord version, int required, HashSet<RegionId> eligible)
        {
            _owner = owner;
            _started = owner._time.GetTimestamp();
            Grain = grain;
            Version = version;
            Required = required;
            Eligible = eligible;
        }

        public GrainId Grain { get; }

        public GeoRecord Version { get; }

        public int Required { get; }

        /// <summary>The regions whose acknowledgements count.</summary>
        public IReadOnlySet<RegionId> Eligible { get; }

        // Guarded by the owner's lock.
        internal HashSet<RegionId> Applied { get; } = [];

        internal TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The regions whose acknowledgements were counted.</summary>
        public IReadOnlyList<RegionId> Counted
        {
            get { lock (_owner._lock) return [.. _owner._targets.Where(Applied.Contains)]; }
        }

        /// <summary>
        /// Completes once enough eligible regions applied the version.
        /// </summary>
        /// <exception cref="ReplicationIncompleteException">They did not within <paramref name="timeout"/>, or too few are eligible; the exception names those that did and those that did not.</exception>
        /// <exception cref="OwnershipLostException">A region refused the version: it holds a newer owner's lineage.</exception>
        public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            try
            {
                await Done.Task.WaitAsync(timeout, _owner._time, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw Incomplete(_owner._time.GetElapsedTime(_started));
            }
        }

        internal ReplicationIncompleteException Incomplete(TimeSpan waited)
        {
            lock (_owner._lock)
            {
                return new ReplicationIncompleteException(
                    Grain.ToString(), Version.Version, Required, [.. _owner._targets.Where(Applied.Contains)], [.. _owner._targets.Where(t => !Applied.Contains(t))], waited);
            }
        }

        /// <summary>Stops waiting; acknowledgements that come later only reach the outbox.</summary>
        public void Dispose() => _owner.Remove(this);
    }
}
