using GeoGrains.Configuration;
using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// The health observer's probe exchange with the other regions' observers, both ways, and what it decides from it
/// (<see cref="RegionHealthTracker"/>): who is suspected or declared down, and since when each region has been heard
/// without a break. One message per region and interval carries the liveness check, the votes, the lease confirmation
/// (<see cref="RegionLeaseKeeper"/>) and the configuration (<see cref="OwnershipAcceptorHost"/>), so a region that
/// returns learns the new owners in the same answer that refuses its lease.
/// </summary>
internal sealed class RegionHealthProber
{
    private readonly RegionId _region;
    private readonly GeoTopology _topology;
    private readonly IRegionLinks _links;
    private readonly HybridLogicalClock _clock;
    private readonly TimeProvider _time;
    private readonly ObserverClock _observerClock;
    private readonly RegionHealthOptions _health;
    private readonly OwnershipAcceptorHost _acceptor;
    private readonly RegionLeaseKeeper _leases;
    private readonly RegionHealthTimeline _timeline;
    private readonly Action _declaredDown;
    private readonly ILogger _logger;
    private readonly RegionHealthTracker _tracker;
    private readonly Dictionary<RegionId, long> _peerGenerations = [];
    private readonly Dictionary<RegionId, TimeSpan> _healthySince = [];

    /// <param name="region">This region.</param>
    /// <param name="topology">Every region: the others are probed.</param>
    /// <param name="links">How the other regions' observers are reached.</param>
    /// <param name="clock">The hybrid clock the reports are stamped with, and that observes the other regions' stamps.</param>
    /// <param name="time">The wall clock of suspicions and declarations.</param>
    /// <param name="observerClock">The observer's monotonic clock: probes' send times and since when a region has been heard.</param>
    /// <param name="health">Probe interval and timeout, failures to suspect, startup grace.</param>
    /// <param name="acceptor">Learns the configurations the probes carry, and tells the generation to send.</param>
    /// <param name="leases">Confirms the probers' leases and counts the probed regions' confirmations.</param>
    /// <param name="timeline">Where the changes are recorded.</param>
    /// <param name="declaredDown">Called when a region was just declared down, so that it is taken over at once.</param>
    /// <param name="logger">Logs failed probes.</param>
    public RegionHealthProber(
        RegionId region,
        GeoTopology topology,
        IRegionLinks links,
        HybridLogicalClock clock,
        TimeProvider time,
        ObserverClock observerClock,
        RegionHealthOptions health,
        OwnershipAcceptorHost acceptor,
        RegionLeaseKeeper leases,
        RegionHealthTimeline timeline,
        Action declaredDown,
        ILogger logger)
    {
        _region = region;
        _topology = topology;
        _links = links;
        _clock = clock;
        _time = time;
        _observerClock = observerClock;
        _health = health;
        _acceptor = acceptor;
        _leases = leases;
        _timeline = timeline;
        _declaredDown = declaredDown;
        _logger = logger;
        _tracker = new RegionHealthTracker(region, topology.RegionIds.ToList(), health.FailuresToSuspect, time.GetUtcNow(), health.StartupGrace);
    }

    /// <summary>The current view: who is suspected and who is declared down.</summary>
    public RegionHealthView View() => _tracker.View(_time.GetUtcNow());

    /// <summary>The regions suspected or declared down: calls to them wait for a takeover.</summary>
    public IReadOnlyList<RegionId> Unavailable()
    {
        var view = View();
        return [.. view.Suspected.Select(s => s.Region).Union(view.DeclaredDown.Select(s => s.Region))];
    }

    /// <summary>Since when (on the observer's clock) <paramref name="region"/> has answered every probe; false when its last probe failed.</summary>
    public bool HeardSince(RegionId region, out TimeSpan since) => _healthySince.TryGetValue(region, out since);

    /// <summary>Probes every other region once; returns at once.</summary>
    public void ProbeAll()
    {
        // Each probe runs on its own so that a region that does not answer delays neither the others nor the next round:
        // a probe of every region leaves every interval, and an outcome older than one already applied is ignored.
        var report = _tracker.Report(_clock.Now());
        var mine = _acceptor.Learned;
        foreach (var peer in _tracker.Peers)
        {
            var behind = _peerGenerations.GetValueOrDefault(peer) < mine.Generation;
            _ = ProbeAsync(peer, _tracker.StartProbe(peer), new HealthProbe(report, mine.Generation, behind ? mine : null));
        }
    }

    /// <summary>A probe from another region: takes in its report and configuration, confirms its lease, answers with this region's.</summary>
    /// <exception cref="UnknownRegionException">The prober is not a region of the topology.</exception>
    public async Task<HealthProbeReply> ExchangeAsync(HealthProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var prober = probe.Report.Reporter;
        if (!_topology.Contains(prober))
        {
            throw new UnknownRegionException(prober, _topology.RegionIds);
        }

        _clock.Observe(probe.Report.ObservedAt, prober.Value);
        if (probe.Configuration is { } theirs)
        {
            await _acceptor.LearnAsync(theirs);
        }

        Apply(_tracker.Learn(probe.Report, _time.GetUtcNow()));
        var grant = _leases.Grant(prober);
        var mine = _acceptor.Learned;
        return new HealthProbeReply(_tracker.Report(_clock.Now()), grant, mine.Generation, probe.Generation < mine.Generation ? mine : null, _acceptor.FenceGeneration);
    }

    private async Task ProbeAsync(RegionId peer, long probe, HealthProbe request)
    {
        var sentAt = _observerClock.Now;
        HealthProbeReply reply;
        try
        {
            using var timeout = new CancellationTokenSource(_health.ProbeTimeout);
            reply = await _links.InvokeAsync(peer, grains => grains.GetGrain<IRegionHealthPeer>(0).Exchange(request), timeout.Token)
                .WaitAsync(_health.ProbeTimeout);
            _clock.Observe(reply.Report.ObservedAt, peer.Value);
        }
        catch (Exception exception)
        {
            _logger.LogDebug("Region {Region}: probe {Probe} of {Peer} failed: {Reason}", _region, probe, peer, exception.Message);
            Apply(_tracker.ProbeFailed(peer, probe, _time.GetUtcNow()));
            _healthySince.Remove(peer);
            _leases.Check();
            return;
        }

        _peerGenerations[peer] = reply.Generation;
        if (reply.Configuration is { } theirs)
        {
            await _acceptor.LearnAsync(theirs);
        }

        _leases.ProbeAnswered(peer, sentAt, reply);
        _healthySince.TryAdd(peer, _observerClock.Now);

        Apply(_tracker.ProbeSucceeded(peer, probe, reply.Report, _time.GetUtcNow()));
        _leases.Check();
    }

    private void Apply(IReadOnlyList<(RegionId Subject, RegionHealthChange Change)> changes)
    {
        foreach (var (subject, change) in changes)
        {
            _timeline.Record(subject, change, string.Empty);
        }

        // A region just declared down is taken over at once, not at the next probe round.
        if (changes.Any(c => c.Change == RegionHealthChange.DeclaredDown))
        {
            _declaredDown();
        }
    }
}
