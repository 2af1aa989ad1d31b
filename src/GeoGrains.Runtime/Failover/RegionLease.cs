namespace GeoGrains.Runtime.Failover;

/// <summary>
/// Both sides of the ownership leases, as one region sees them, without I/O; times are positions on the observer's
/// monotonic clock.
/// <para>
/// As a holder: each probe another region answers with a grant confirms the lease from the moment the probe was sent
/// (before the grant, so never later than the granter's own count). The lease holds while a majority of all regions,
/// this one included, confirmed it within <c>period</c>, counted as <c>period − maxClockOffset</c> here.
/// </para>
/// <para>
/// As a granter: having confirmed a region's lease, this region must not accept a change that takes that region's
/// grains away until <c>period</c> has passed on its own clock; nor, after it starts, until <c>period</c> has passed,
/// since it may have confirmed leases before (the record is kept in memory). Any two majorities share a region, so no
/// takeover can be accepted by a majority while the old owner's lease holds.
/// </para>
/// </summary>
internal sealed class RegionLease
{
    private readonly Dictionary<RegionId, TimeSpan> _confirmed = [];
    private readonly Dictionary<RegionId, TimeSpan> _granted = [];
    private readonly TimeSpan _period;
    private readonly TimeSpan _holderPeriod;
    private readonly TimeSpan _startedAt;
    private readonly int _majority;

    public RegionLease(RegionId self, int regions, TimeSpan period, TimeSpan maxClockOffset, TimeSpan startedAt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(regions, 1);
        if (maxClockOffset >= period)
        {
            throw new ArgumentException($"The maximum clock offset ({maxClockOffset}) must be less than the lease period ({period}).", nameof(maxClockOffset));
        }

        Self = self;
        _period = period;
        _holderPeriod = period - maxClockOffset;
        _startedAt = startedAt;
        _majority = regions / 2 + 1;
    }

    public RegionId Self { get; }

    /// <summary>A probe sent at <paramref name="sentAt"/> was answered with a grant by <paramref name="granter"/>.</summary>
    public void Confirmed(RegionId granter, TimeSpan sentAt)
    {
        if (!_confirmed.TryGetValue(granter, out var known) || sentAt > known)
        {
            _confirmed[granter] = sentAt;
        }
    }

    /// <summary>A region withdrew its grant (it holds this region away): its last confirmation no longer counts.</summary>
    public void Refused(RegionId granter) => _confirmed.Remove(granter);

    /// <summary>Until when the lease holds, if it does at <paramref name="now"/>; this region counts as confirming itself while <paramref name="selfGrants"/>.</summary>
    public TimeSpan? ValidUntil(TimeSpan now, bool selfGrants)
    {
        var confirmations = _confirmed.Values.Select(t => t + _holderPeriod).ToList();
        if (selfGrants)
        {
            confirmations.Add(TimeSpan.MaxValue);
        }

        if (confirmations.Count < _majority)
        {
            return null;
        }

        // The majority-th latest confirmation is the one the lease stands on.
        var until = confirmations.OrderDescending().ElementAt(_majority - 1);
        return until > now ? until : null;
    }

    /// <summary>This region confirms <paramref name="holder"/>'s lease at <paramref name="now"/>.</summary>
    public void Grant(RegionId holder, TimeSpan now) => _granted[holder] = now;

    /// <summary>Whether this region confirmed <paramref name="holder"/>'s lease (to any of its silos) less than <paramref name="window"/> before <paramref name="now"/>.</summary>
    public bool GrantedWithin(RegionId holder, TimeSpan now, TimeSpan window) => _granted.TryGetValue(holder, out var granted) && now - granted < window;

    /// <summary>How long this region must still wait before it may accept taking <paramref name="holder"/>'s grains away: zero when it may now.</summary>
    public TimeSpan WaitBeforeTakeover(RegionId holder, TimeSpan now)
    {
        var last = _granted.TryGetValue(holder, out var granted) && granted > _startedAt ? granted : _startedAt;
        var left = last + _period - now;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
