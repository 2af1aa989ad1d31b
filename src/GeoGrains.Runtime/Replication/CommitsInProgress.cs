using GeoGrains.Runtime.Clocks;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// This silo's commits that have taken their commit time from the clock and are not yet queued to ship: the part of a
/// safe time no shipper can see. Commit times are taken here, under the same lock as <see cref="Floor"/>, so a commit
/// either is listed or reads the clock after the floor was computed (and so commits after it).
/// </summary>
internal sealed class CommitsInProgress(HybridLogicalClock clock)
{
    private readonly object _lock = new();
    private readonly SortedSet<(HybridTimestamp At, long Id)> _open = [];
    private long _lastId;

    /// <summary>
    /// Starts a commit: its commit time, listed until the result is disposed, which the write path does once the commit
    /// failed or its version is queued on every shipper (never before: the shippers take over from there).
    /// </summary>
    public CommitInProgress Begin()
    {
        lock (_lock)
        {
            var commit = new CommitInProgress(this, clock.Now(), ++_lastId);
            _open.Add((commit.At, commit.Id));
            return commit;
        }
    }

    /// <summary>Commits started and not ended.</summary>
    public int Count
    {
        get { lock (_lock) return _open.Count; }
    }

    /// <summary>
    /// The latest time before every commit still in progress: the clock's now when there is none. A commit that starts
    /// later reads the clock after this and commits later.
    /// </summary>
    public HybridTimestamp Floor()
    {
        lock (_lock)
        {
            var now = clock.Now();
            return _open.Count == 0 ? now : _open.Min.At.Before();
        }
    }

    internal void End(CommitInProgress commit)
    {
        lock (_lock)
        {
            _open.Remove((commit.At, commit.Id));
        }
    }
}

/// <summary>A commit in progress: its commit time; disposing it ends it (see <see cref="CommitsInProgress.Begin"/>).</summary>
internal sealed class CommitInProgress(CommitsInProgress commits, HybridTimestamp at, long id) : IDisposable
{
    private int _handedOff;

    public HybridTimestamp At { get; } = at;

    public long Id { get; } = id;

    /// <summary>
    /// For a commit storage left in doubt: disposing no longer ends it; the returned action does, once the outbox knows
    /// whether the version was stored (and has queued it to ship if it was).
    /// </summary>
    public Action KeepUntilSettled()
    {
        Interlocked.Exchange(ref _handedOff, 1);
        return () => commits.End(this);
    }

    public void Dispose()
    {
        if (Volatile.Read(ref _handedOff) == 0)
        {
            commits.End(this);
        }
    }
}
