namespace GeoGrains.Runtime.Failover;

/// <summary>
/// The decisions of one region's health observer, without I/O: probe outcomes and the other regions' reports go in,
/// the changes they cause come out. A region is suspected after <c>failuresToSuspect</c> failed probes in a row and
/// cleared by one success; it is declared down while a majority of all regions suspect it, counting the observer's own
/// suspicion and the latest report of every region the observer does not suspect. A suspected region's report does not
/// count: it cannot be heard, so what it last said is not current, and an isolated region thus never gathers votes
/// from regions it cannot reach. A region the observer has not reached since it started is suspected only once
/// <c>startupGrace</c> has passed: regions that start together do not take each other over for starting a little later.
/// </summary>
internal sealed class RegionHealthTracker
{
    private readonly Dictionary<RegionId, Peer> _peers;
    private readonly Dictionary<RegionId, DateTimeOffset> _declaredDown = [];
    private readonly int _failuresToSuspect;
    private readonly DateTimeOffset _graceEnds;

    public RegionHealthTracker(RegionId self, IEnumerable<RegionId> regions, int failuresToSuspect, DateTimeOffset startedAt = default, TimeSpan startupGrace = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failuresToSuspect, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(startupGrace, TimeSpan.Zero);
        _graceEnds = startedAt + startupGrace;
        var all = regions.Distinct().ToList();
        if (!all.Contains(self))
        {
            throw new ArgumentException($"Region '{self}' is not one of the regions ({string.Join(", ", all)}).", nameof(regions));
        }

        Self = self;
        RegionCount = all.Count;
        _failuresToSuspect = failuresToSuspect;
        _peers = all.Where(r => r != self).ToDictionary(r => r, _ => new Peer());
    }

    /// <summary>The observing region.</summary>
    public RegionId Self { get; }

    /// <summary>How many regions the topology has, the observer included.</summary>
    public int RegionCount { get; }

    /// <summary>Votes needed to declare a region down: a majority of all regions.</summary>
    public int Majority => RegionCount / 2 + 1;

    /// <summary>The regions the observer probes.</summary>
    public IEnumerable<RegionId> Peers => _peers.Keys;

    /// <summary>Numbers a new probe of <paramref name="peer"/>; outcomes of probes older than one already applied are ignored.</summary>
    public long StartProbe(RegionId peer) => ++PeerOf(peer).Started;

    /// <summary>A probe of <paramref name="peer"/> was answered with the peer's <paramref name="report"/>.</summary>
    public IReadOnlyList<(RegionId Subject, RegionHealthChange Change)> ProbeSucceeded(RegionId peer, long probe, RegionHealthReport report, DateTimeOffset at)
    {
        var state = PeerOf(peer);
        var changes = new List<(RegionId, RegionHealthChange)>();
        state.Completed++;
        state.Reached = true;
        Take(peer, report);
        if (probe > state.LastApplied)
        {
            state.LastApplied = probe;
            state.ConsecutiveFailures = 0;
            if (state.SuspectedSince is not null)
            {
                state.SuspectedSince = null;
                changes.Add((peer, RegionHealthChange.Cleared));
            }
        }

        Decide(changes, at);
        return changes;
    }

    /// <summary>A probe of <paramref name="peer"/> failed or timed out.</summary>
    public IReadOnlyList<(RegionId Subject, RegionHealthChange Change)> ProbeFailed(RegionId peer, long probe, DateTimeOffset at)
    {
        var state = PeerOf(peer);
        var changes = new List<(RegionId, RegionHealthChange)>();
        state.Completed++;
        if (probe > state.LastApplied)
        {
            state.LastApplied = probe;
            state.ConsecutiveFailures++;
            if (state.SuspectedSince is null && state.ConsecutiveFailures >= _failuresToSuspect && (state.Reached || at >= _graceEnds))
            {
                state.SuspectedSince = at;
                changes.Add((peer, RegionHealthChange.Suspected));
            }
        }

        Decide(changes, at);
        return changes;
    }

    /// <summary>Another region told its suspicions while probing this one.</summary>
    /// <exception cref="ArgumentException">The reporter is not another region of the topology.</exception>
    public IReadOnlyList<(RegionId Subject, RegionHealthChange Change)> Learn(RegionHealthReport report, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(report);
        var changes = new List<(RegionId, RegionHealthChange)>();
        Take(report.Reporter, report);
        Decide(changes, at);
        return changes;
    }

    /// <summary>What this observer suspects now, to tell the others.</summary>
    public RegionHealthReport Report(HybridTimestamp now) =>
        new(Self, [.. _peers.Where(p => p.Value.SuspectedSince is not null).Select(p => p.Key)], now);

    /// <summary>The current view.</summary>
    public RegionHealthView View(DateTimeOffset at) => new(
        Self,
        [.. _peers.Where(p => p.Value.SuspectedSince is not null).Select(p => new RegionSuspicion(p.Key, p.Value.SuspectedSince!.Value))],
        [.. _declaredDown.Select(d => new RegionSuspicion(d.Key, d.Value))],
        [.. _peers.Values.Where(p => p.Report is not null).Select(p => p.Report!)],
        _peers.Count == 0 ? 0 : _peers.Values.Min(p => p.Completed),
        at);

    private void Take(RegionId reporter, RegionHealthReport report)
    {
        if (report.Reporter != reporter)
        {
            throw new ArgumentException($"A report from '{report.Reporter}' arrived as the answer of '{reporter}'.", nameof(report));
        }

        var state = PeerOf(reporter);
        if (state.Report is null || report.ObservedAt > state.Report.ObservedAt)
        {
            state.Report = report;
        }
    }

    private void Decide(List<(RegionId, RegionHealthChange)> changes, DateTimeOffset at)
    {
        foreach (var (subject, state) in _peers)
        {
            var votes = (state.SuspectedSince is null ? 0 : 1)
                + _peers.Count(p => p.Value.SuspectedSince is null && p.Value.Report is { } report && report.Suspects.Contains(subject));
            var down = votes >= Majority;
            if (down && _declaredDown.TryAdd(subject, at))
            {
                changes.Add((subject, RegionHealthChange.DeclaredDown));
            }
            else if (!down && _declaredDown.Remove(subject))
            {
                changes.Add((subject, RegionHealthChange.DeclaredUp));
            }
        }
    }

    private Peer PeerOf(RegionId region) =>
        _peers.TryGetValue(region, out var peer)
            ? peer
            : throw new ArgumentException($"Region '{region}' is not another region of the topology ({string.Join(", ", _peers.Keys)}).", nameof(region));

    private sealed class Peer
    {
        public long Started;
        public long LastApplied;
        public long Completed;
        public int ConsecutiveFailures;
        public bool Reached;
        public DateTimeOffset? SuspectedSince;
        public RegionHealthReport? Report;
    }
}
