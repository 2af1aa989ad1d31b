namespace GeoGrains.Runtime.Failover;

/// <summary>
/// The holder side of the region's ownership lease as one silo keeps it, so that the silo's right to write does not
/// depend on the silo that runs its region's health observer: the silo asks every other region's observer to confirm the
/// lease every probe interval (<see cref="SiloLeaseProber"/>) and counts its own region's vote from the observer's status
/// or, when the observer does not answer, from the acceptor's durable row. Thread-safe; times are this silo's monotonic clock.
/// <para>
/// The rule is <see cref="RegionLease"/>'s: the lease holds while a majority of all regions, this one included, confirmed
/// it within <c>period − maxClockOffset</c>, each confirmation counted from when it was asked for. A granter records its
/// grant for the region, whichever silo asked, and accepts no takeover of the region for a lease period after it, so any
/// majority that could take the region over shares a region with this silo's majority and refuses while this lease holds.
/// The region's own vote is timed like any other: it says that the acceptor held the region neither away nor fenced when
/// asked, and the acceptor never accepts an unplanned takeover of its own region; a planned move is fenced by generation.
/// </para>
/// </summary>
internal sealed class SiloLease
{
    private readonly object _lock = new();
    private readonly RegionLease _lease;
    private readonly TimeProvider _time;
    private readonly long _origin;

    public SiloLease(RegionId self, int regions, TimeSpan period, TimeSpan maxClockOffset, TimeProvider time)
    {
        _time = time;
        _origin = time.GetTimestamp();
        _lease = new RegionLease(self, regions, period, maxClockOffset, TimeSpan.Zero);
    }

    /// <summary>The silo's region.</summary>
    public RegionId Self => _lease.Self;

    /// <summary>Now, on this silo's monotonic clock: take it before asking for a confirmation.</summary>
    public TimeSpan Now => _time.GetElapsedTime(_origin);

    /// <summary>A timestamp of the silo's <see cref="TimeProvider"/> on <see cref="Now"/>'s clock.</summary>
    public TimeSpan At(long timestamp) => _time.GetElapsedTime(_origin, timestamp);

    /// <summary>
    /// <paramref name="granter"/> answered a request sent at <paramref name="askedAt"/>. A refusal withdraws its last
    /// confirmation. A grant counts only once this silo routes by <paramref name="fenceGeneration"/> (it is at most
    /// <paramref name="knownGeneration"/>); until then the granter's earlier confirmation stands until it lapses.
    /// </summary>
    public void Answered(RegionId granter, TimeSpan askedAt, bool granted, long fenceGeneration, long knownGeneration)
    {
        lock (_lock)
        {
            if (!granted)
            {
                _lease.Refused(granter);
            }
            else if (fenceGeneration <= knownGeneration)
            {
                _lease.Confirmed(granter, askedAt);
            }
        }
    }

    /// <summary>The region's own acceptor, asked at <paramref name="askedAt"/>, confirms the region's lease or withdraws its vote.</summary>
    public void SelfAnswered(TimeSpan askedAt, bool grants)
    {
        lock (_lock)
        {
            if (grants)
            {
                _lease.Confirmed(Self, askedAt);
            }
            else
            {
                _lease.Refused(Self);
            }
        }
    }

    /// <summary>Until when (on <see cref="Now"/>'s clock) the lease holds, if it does now.</summary>
    public TimeSpan? ValidUntil()
    {
        var now = Now;
        lock (_lock)
        {
            return _lease.ValidUntil(now, selfGrants: false);
        }
    }

    /// <summary>Whether the lease holds now.</summary>
    public bool Holds => ValidUntil() is not null;
}
