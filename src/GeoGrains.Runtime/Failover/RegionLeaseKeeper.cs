using GeoGrains.Configuration;
using GeoGrains.Runtime.Topology;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// The health observer's side of the ownership leases (<see cref="RegionLease"/>). As a granter it confirms the leases of
/// the other regions, to their observers' probes and to their silos' requests, unless this region's acceptor holds them
/// away, and tells the acceptor how long it must still wait before it may accept taking a region's grains away. As a
/// holder it counts the confirmations the other regions' probe answers give this region's lease, and records in the
/// timeline when that lease lapses or is regained. It only reads the acceptor; <see cref="OwnershipAcceptorHost"/> changes it.
/// </summary>
internal sealed class RegionLeaseKeeper
{
    private readonly RegionId _region;
    private readonly GeoTopology _topology;
    private readonly FailoverOptions _failover;
    private readonly bool _automatic;
    private readonly OwnershipAcceptor _acceptor;
    private readonly ObserverClock _clock;
    private readonly RegionHealthTimeline _timeline;
    private readonly RegionLease _lease;
    private bool _leaseHeld;

    /// <param name="region">This region.</param>
    /// <param name="topology">Every region.</param>
    /// <param name="failover">The lease period, the clock offset and whether leases are ignored.</param>
    /// <param name="automatic">Whether failover is automatic (<see cref="FailoverOptions.IsAutomatic"/>): otherwise this region's lease always holds.</param>
    /// <param name="acceptor">This region's acceptor, read for what it holds away and the generations it accepted and learned.</param>
    /// <param name="clock">The observer's monotonic clock.</param>
    /// <param name="timeline">Where the lease's lapses and returns are recorded.</param>
    public RegionLeaseKeeper(RegionId region, GeoTopology topology, FailoverOptions failover, bool automatic, OwnershipAcceptor acceptor, ObserverClock clock, RegionHealthTimeline timeline)
    {
        _region = region;
        _topology = topology;
        _failover = failover;
        _automatic = automatic;
        _acceptor = acceptor;
        _clock = clock;
        _timeline = timeline;
        _lease = new RegionLease(region, topology.RegionIds.Count(), failover.LeasePeriod, failover.MaxClockOffset, clock.Now);
    }

    // A region confirms its own lease unless it holds itself away, or has accepted a configuration it has not learned yet.
    public bool SelfGrants => !_acceptor.HoldsAway(_region) && _acceptor.FenceGeneration <= _acceptor.Learned.Generation;

    /// <summary>How much longer this region's lease holds: null when it does not, <see cref="TimeSpan.MaxValue"/> when failover is not automatic.</summary>
    public TimeSpan? Left()
    {
        var now = _clock.Now;
        return _automatic ? _lease.ValidUntil(now, SelfGrants) - now : TimeSpan.MaxValue;
    }

    /// <summary>Confirms the lease of <paramref name="holder"/>, whose observer probes this region, unless this region holds it away; returns whether it did.</summary>
    public bool Grant(RegionId holder)
    {
        var grant = !_acceptor.HoldsAway(holder);
        if (grant)
        {
            _lease.Grant(holder, _clock.Now);
        }

        return grant;
    }

    /// <summary>A silo of another region asks this region to confirm its region's lease.</summary>
    /// <exception cref="UnknownRegionException">The holder is not a region of the topology.</exception>
    public LeaseReply Confirm(LeaseRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_topology.Contains(request.Holder))
        {
            throw new UnknownRegionException(request.Holder, _topology.RegionIds);
        }

        // Synchronous, like Exchange: the check and the grant happen in one turn, so an acceptance that starts after it
        // sees the grant (WaitBeforeTakeover), and one under way is seen by HoldsAway (the value being accepted counts).
        var grant = request.Holder != _region && Grant(request.Holder);
        var mine = _acceptor.Learned;
        return new LeaseReply(grant, mine.Generation, request.Generation < mine.Generation ? mine : null, _acceptor.FenceGeneration);
    }

    /// <summary>
    /// How long this region's acceptor must still wait before it may accept taking <paramref name="holder"/>'s grains
    /// away: never less than a lease period for this region's own grains.
    /// </summary>
    public TimeSpan WaitBeforeTakeover(RegionId holder) =>
        _failover.IgnoreLeases ? TimeSpan.Zero : holder == _region ? _failover.LeasePeriod : _lease.WaitBeforeTakeover(holder, _clock.Now);

    /// <summary>Whether this region confirmed <paramref name="holder"/>'s lease (to its observer or any of its silos) less than <paramref name="window"/> ago.</summary>
    public bool GrantedWithin(RegionId holder, TimeSpan window) => _lease.GrantedWithin(holder, _clock.Now, window);

    /// <summary><paramref name="peer"/> answered a probe sent at <paramref name="sentAt"/>: its grant confirms this region's lease, its refusal withdraws the last confirmation.</summary>
    public void ProbeAnswered(RegionId peer, TimeSpan sentAt, HealthProbeReply reply)
    {
        if (!reply.LeaseGranted)
        {
            _lease.Refused(peer);
        }
        else if (reply.FenceGeneration <= _acceptor.Learned.Generation)
        {
            _lease.Confirmed(peer, sentAt);
        }

        // Otherwise the peer has accepted a configuration this region has not learned yet: its confirmation waits until
        // this region learns it (the earlier confirmation stands until it lapses).
    }

    /// <summary>Records in the timeline when this region's lease has lapsed or come back since the last check.</summary>
    public void Check()
    {
        if (!_automatic)
        {
            return;
        }

        var held = _lease.ValidUntil(_clock.Now, SelfGrants) is not null;
        if (held != _leaseHeld)
        {
            _leaseHeld = held;
            _timeline.Record(_region, held ? RegionHealthChange.LeaseRegained : RegionHealthChange.LeaseLapsed, string.Empty);
        }
    }
}
