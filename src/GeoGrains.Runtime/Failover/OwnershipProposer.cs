using GeoGrains.Configuration;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// The health observer as a proposer of <see cref="OwnershipAgreement"/>, one change at a time: it proposes taking over a
/// region a majority holds down, giving a region taken over after a failure its grains back once it has been heard for
/// the stable period (failback), draining or restoring a region when asked, and deciding a value its acceptor accepted
/// but never learned. The values come from <see cref="TenurePlanner"/>; the acceptors accept a takeover only once they
/// can no longer have confirmed the failed region's lease.
/// </summary>
internal sealed class OwnershipProposer
{
    private readonly RegionId _region;
    private readonly GeoTopology _topology;
    private readonly bool _automatic;
    private readonly FailoverOptions _failover;
    private readonly RegionHealthOptions _health;
    private readonly OwnershipAgreement _agreement;
    private readonly TenurePlanner _planner;
    private readonly OwnershipAcceptor _acceptor;
    private readonly RegionHealthProber _prober;
    private readonly RegionLeaseKeeper _leases;
    private readonly ObserverClock _clock;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private Task _proposing = Task.CompletedTask;
    private TimeSpan? _undecidedSince;

    /// <param name="region">This region.</param>
    /// <param name="topology">Every region, in the order that picks the proposer.</param>
    /// <param name="automatic">Whether failover is automatic (<see cref="FailoverOptions.IsAutomatic"/>): otherwise nothing is proposed, and drains are refused.</param>
    /// <param name="failover">The failback's stable period.</param>
    /// <param name="health">The probe interval: how long a region is down before any region proposes, and an undecided value waits.</param>
    /// <param name="agreement">Changes the configuration by agreement of a majority.</param>
    /// <param name="planner">The next configuration of each change.</param>
    /// <param name="acceptor">This region's acceptor, read for the configuration it learned and the generation it accepted.</param>
    /// <param name="prober">Who is suspected and declared down, and since when a region has been heard.</param>
    /// <param name="leases">The confirmations this region gave a region declared down since.</param>
    /// <param name="clock">The observer's monotonic clock.</param>
    /// <param name="time">The wall clock of the declarations.</param>
    /// <param name="logger">Logs the outcomes.</param>
    public OwnershipProposer(
        RegionId region,
        GeoTopology topology,
        bool automatic,
        FailoverOptions failover,
        RegionHealthOptions health,
        OwnershipAgreement agreement,
        TenurePlanner planner,
        OwnershipAcceptor acceptor,
        RegionHealthProber prober,
        RegionLeaseKeeper leases,
        ObserverClock clock,
        TimeProvider time,
        ILogger logger)
    {
        _region = region;
        _topology = topology;
        _automatic = automatic;
        _failover = failover;
        _health = health;
        _agreement = agreement;
        _planner = planner;
        _acceptor = acceptor;
        _prober = prober;
        _leases = leases;
        _clock = clock;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Starts moving the grains of a region a majority holds down, unless a move is under way. The first region in the
    /// topology's order that this observer does not suspect proposes; any other proposes too once the region has been
    /// down for three more probe intervals, in case the first cannot.
    /// </summary>
    public void ProposeTakeovers()
    {
        if (!_automatic || !_proposing.IsCompleted)
        {
            return;
        }

        var view = _prober.View();
        var learned = _acceptor.Learned;
        foreach (var down in view.DeclaredDown.Where(d => !learned.IsAway(d.Region)))
        {
            // Its observer does not answer, but its silos asked this region to confirm their lease since it was declared
            // down: the region is alive (its observer is moving to another silo, say), and the acceptors would refuse. A
            // confirmation from before the declaration (a dead region's last) does not hold the proposal back: the
            // acceptors' refusal says exactly how long to wait.
            if (_leases.GrantedWithin(down.Region, _time.GetUtcNow() - down.Since))
            {
                continue;
            }

            var proposer = _topology.RegionIds.Where(r => r != down.Region && !view.Suspects(r) && !learned.IsAway(r)).Order().FirstOrDefault();
            if (proposer == _region || _time.GetUtcNow() - down.Since > 3 * _health.ProbeInterval)
            {
                _proposing = TakeOverAsync(down.Region);
                return;
            }
        }

        // Failback: a region taken over after a failure that this observer has heard without a break for the stable
        // period, and that no majority holds down, gets its grains back by a planned switchover.
        if (_failover.FailbackAfter is not { } stable)
        {
            return;
        }

        foreach (var tenure in learned.Tenures.Values.Where(t => t.State == TenureState.Away && !t.Planned))
        {
            var proposer = _topology.RegionIds.Where(r => !view.Suspects(r) && !learned.IsAway(r)).Order().FirstOrDefault();
            if (proposer == _region && !view.HoldsDown(tenure.Region)
                && _prober.HeardSince(tenure.Region, out var since) && _clock.Now - since >= stable)
            {
                _proposing = ChangeTenureCoreAsync(tenure.Region, away: false);
                return;
            }
        }
    }

    /// <summary>
    /// A value this acceptor accepted but never learned was chosen (its proposer did not get to tell everyone) or was not
    /// (its proposer stopped half way). Either way it fences leases (<see cref="HealthProbeReply.FenceGeneration"/>) until
    /// it is decided, so after two probe intervals this region decides it itself: a round that changes nothing, which
    /// makes the highest accepted value chosen and learned everywhere.
    /// </summary>
    public void CompleteUndecided()
    {
        if (_acceptor.FenceGeneration <= _acceptor.Learned.Generation)
        {
            _undecidedSince = null;
            return;
        }

        _undecidedSince ??= _clock.Now;
        if (_clock.Now - _undecidedSince < 2 * _health.ProbeInterval || !_proposing.IsCompleted)
        {
            return;
        }

        _undecidedSince = null;
        _proposing = CompleteAsync();

        async Task CompleteAsync()
        {
            var outcome = await _agreement.ChangeAsync((current, _) => _planner.Settled(current) is var settled && !ReferenceEquals(settled, current) ? settled : null, new HashSet<RegionId>(), CancellationToken.None);
            _logger.LogInformation("Region {Region}: completing an undecided configuration: {Outcome}", _region, outcome.Chosen?.ToString() ?? outcome.Reason);
        }
    }

    /// <summary>
    /// Moves everything <paramref name="region"/> owns to successors (<paramref name="away"/>) or gives it back, by a
    /// planned, agreed switchover, after the change under way; completes once the regions have agreed.
    /// </summary>
    /// <exception cref="UnknownRegionException">The region is not in the topology.</exception>
    /// <exception cref="InvalidOperationException">Failover is not automatic, or the last owning region would be drained.</exception>
    /// <exception cref="RegionUnreachableException">The region to restore does not answer, or no majority agreed.</exception>
    public async Task ChangeTenureAsync(RegionId region, bool away)
    {
        _ = _topology[region];
        if (!_automatic)
        {
            throw new InvalidOperationException(
                $"Regions cannot be drained or restored with {_topology.RegionIds.Count()} regions: moving a region's grains safely needs leases, which need three regions or more.");
        }

        if (away && _topology.RegionIds.Count(r => r != region && !_acceptor.Learned.IsAway(r)) == 0)
        {
            throw new InvalidOperationException($"Region '{region}' is the last region that owns grains; it cannot be drained.");
        }

        if (!away && !_acceptor.Learned.IsAway(region) && _acceptor.FenceGeneration <= _acceptor.Learned.Generation)
        {
            return; // it owns its grains: nothing to give back
        }

        if (!away && _prober.View().Suspects(region))
        {
            throw new RegionUnreachableException(_region, region, "it does not answer probes, so its grains cannot be given back to it now.");
        }

        await _proposing.ContinueWith(_ => { }, TaskScheduler.Current);
        var change = ChangeTenureCoreAsync(region, away);
        _proposing = change;
        await change;
    }

    private async Task ChangeTenureCoreAsync(RegionId region, bool away)
    {
        const int MaxAttempts = 10;
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await _agreement.ChangeAsync(
                (current, promises) => away
                    ? _planner.Drain(_planner.Settled(current), promises, region) ?? _planner.Settled(current)
                    : _planner.Restore(_planner.Settled(current), region) ?? _planner.Settled(current),
                _topology.RegionIds.ToHashSet(),
                CancellationToken.None);
            if (outcome.Chosen is not null)
            {
                return;
            }

            if (attempt == MaxAttempts)
            {
                throw new RegionUnreachableException(_region, region, $"the regions did not agree to {(away ? "drain" : "restore")} it: {outcome.Reason}");
            }

            await Task.Delay(outcome.RetryAfter > TimeSpan.Zero ? outcome.RetryAfter : TimeSpan.FromMilliseconds(Random.Shared.Next(20, 100)));
        }
    }

    private async Task TakeOverAsync(RegionId failed)
    {
        const int MaxAttempts = 20;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var view = _prober.View();
            if (!view.HoldsDown(failed) || _acceptor.Learned.IsAway(failed))
            {
                return;
            }

            AgreementOutcome outcome;
            try
            {
                var awaited = _topology.RegionIds.Where(r => r != failed && !view.Suspects(r)).ToHashSet();
                outcome = await _agreement.ChangeAsync((current, promises) => _planner.Away(current, promises, failed), awaited, CancellationToken.None);
            }
            catch (Exception exception)
            {
                outcome = AgreementOutcome.NotDecided(_health.ProbeInterval, exception.Message);
            }

            if (outcome.Chosen is not null)
            {
                return;
            }

            _logger.LogInformation("Region {Region}: taking over {Failed} not decided yet (attempt {Attempt}): {Reason}", _region, failed, attempt, outcome.Reason);
            var wait = outcome.RetryAfter > TimeSpan.Zero
                ? outcome.RetryAfter + TimeSpan.FromMilliseconds(10)
                : TimeSpan.FromMilliseconds(Random.Shared.Next(20, 100));
            await Task.Delay(wait);
        }
    }
}
