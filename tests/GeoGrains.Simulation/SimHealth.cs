using GeoGrains.Configuration;
using GeoGrains.Runtime.Failover;
using Microsoft.Extensions.Logging.Abstractions;

namespace GeoGrains.Simulation;

/// <summary>
/// Mirrors <c>RegionHealthGrain</c> (src/GeoGrains.Runtime/Failover/RegionHealthGrain.cs) and the roles it hosts, in one
/// class, line by line: <see cref="RegionHealthProber"/>, <see cref="RegionLeaseKeeper"/>, <see cref="OwnershipAcceptorHost"/>,
/// <see cref="OwnershipProposer"/> and <see cref="TenurePlanner"/> (each method below names the one it mirrors), over the
/// real <see cref="RegionHealthTracker"/>, <see cref="RegionLease"/>, <see cref="OwnershipAcceptor"/> and
/// <see cref="OwnershipAgreement"/>; only the I/O differs: probes and agreement calls go through <see cref="SimNetwork"/>,
/// timers and delays through the region's <see cref="SimTimeProvider"/>, randomness through the simulator's seed.
/// Drains and restores (<c>ChangeTenure</c>, asked by the <see cref="Nemesis"/>) and failback after
/// <see cref="SimulationOptions.FailbackAfter"/> are mirrored too, and so are the silos' side of it: <see cref="ConfirmLease"/>
/// (each <see cref="SimSilo"/> asks every other region's observer), <see cref="GetStatus"/> (each silo's keeper), and the
/// takeover proposal held back by confirmations given since the region was declared down (<c>RegionLeaseKeeper.GrantedWithin</c>).
/// One activation per region, on one silo (<see cref="Context"/> is that silo's): it dies with the silo, and
/// <see cref="SimNode"/> activates a new one on another silo, which loads the acceptor from the region's table and starts
/// with an empty <see cref="RegionLease"/> (its grants were in memory). Left out: the health timeline and stream
/// (<see cref="RegionHealthTimeline"/>: traced instead).
/// <c>PrepareReply.SafeTimes</c> are empty (no replica freshness is modelled), so successors are chosen by name and
/// capacity; the new owner still gathers the freshest copy (<see cref="SimPromotion"/>).
/// If RegionHealthGrain or one of its roles changes, change this file the same way.
/// </summary>
internal sealed class SimHealth : IAgreementPeers
{
    // OwnershipAgreement's own call timeout runs on the real clock (Task.WaitAsync, CancelAfter): set out of reach, so
    // that only SimNetwork's simulated timeout (the links' CallTimeout) ends a call.
    private static readonly TimeSpan AgreementWallClockTimeout = TimeSpan.FromHours(1);

    private readonly SimWorld _world;
    private readonly SimNode _node;
    private readonly SimRegion _region;
    private readonly SimulationOptions _options;
    private readonly RegionHealthTracker _tracker;
    private readonly RegionLease _lease;
    private readonly OwnershipAgreement _agreement;
    private readonly long _origin;
    private readonly Dictionary<RegionId, long> _peerGenerations = [];
    private readonly Dictionary<RegionId, TimeSpan> _healthySince = [];
    private Task _proposing = Task.CompletedTask;
    private bool _leaseHeld;
    private TimeSpan? _undecidedSince;

    public SimHealth(SimWorld world, SimNode node, SimSilo host)
    {
        _world = world;
        Context = host.Context;
        Host = host;
        _node = node;
        _region = node.Region;
        _options = world.Options;
        var regions = world.RegionIds;
        var time = _region.Time;
        _tracker = new RegionHealthTracker(_region.Id, regions, _options.FailuresToSuspect, time.GetUtcNow(), _options.StartupGrace);
        _origin = time.GetTimestamp();
        _lease = new RegionLease(_region.Id, regions.Count, _options.LeasePeriod, _options.MaxClockOffset, Now);
        Acceptor = new OwnershipAcceptor(_region.Table, world.Serializer);
        _agreement = new OwnershipAgreement(_region.Id, regions, this, AgreementWallClockTimeout, NullLogger.Instance);
    }

    public OwnershipAcceptor Acceptor { get; }

    /// <summary>The silo this activation runs on: its code runs in that silo's context, and stops when the silo dies.</summary>
    public SimRegionContext Context { get; }

    public SimSilo Host { get; }

    /// <summary>The configuration this region routes by (<c>OwnershipAcceptorHost.Learned</c>).</summary>
    public RegionConfiguration Learned => Acceptor.Learned;

    // The observer's monotonic clock: lease times are never taken from the wall clock.
    private TimeSpan Now => _region.Time.GetElapsedTime(_origin);

    private DateTimeOffset UtcNow => _region.Time.GetUtcNow();

    // RegionHealthGrain.OnActivateAsync.
    public void Start()
    {
        Acceptor.LoadAsync().GetAwaiter().GetResult(); // MemoryRegionTable answers at once
        // RegisterGrainTimer(ProbeAll, due 0, period ProbeInterval): the simulator keeps the timer alive.
        _ = _region.Time.CreateTimer(_ => ProbeAll(), null, TimeSpan.Zero, _options.ProbeInterval);
        _world.Sim.Trace($"{_region.Id}: health observer started on silo {Host.Index} (configuration {Acceptor.Learned})");
    }

    // RegionHealthProber.ExchangeAsync.
    public async Task<HealthProbeReply> Exchange(HealthProbe probe)
    {
        var prober = probe.Report.Reporter;
        _node.Clock.Observe(probe.Report.ObservedAt, prober.Value);
        if (probe.Configuration is { } theirs)
        {
            await LearnCoreAsync(theirs);
        }

        Apply(_tracker.Learn(probe.Report, UtcNow));
        var grant = !Acceptor.HoldsAway(prober);
        if (grant)
        {
            _lease.Grant(prober, Now);
        }

        var mine = Acceptor.Learned;
        return new HealthProbeReply(_tracker.Report(_node.Clock.Now()), grant, mine.Generation, probe.Generation < mine.Generation ? mine : null, Acceptor.FenceGeneration);
    }

    // RegionLeaseKeeper.Confirm (with Grant).
    public LeaseReply ConfirmLease(LeaseRequest request)
    {
        // Synchronous, like Exchange: the check and the grant happen in one turn, so an acceptance that starts after it
        // sees the grant (WaitBeforeTakeover), and one under way is seen by HoldsAway (the value being accepted counts).
        var grant = request.Holder != _region.Id && !Acceptor.HoldsAway(request.Holder);
        if (grant)
        {
            _lease.Grant(request.Holder, Now);
        }

        var mine = Acceptor.Learned;
        return new LeaseReply(grant, mine.Generation, request.Generation < mine.Generation ? mine : null, Acceptor.FenceGeneration);
    }

    // RegionHealthGrain.GetStatus: RegionLeaseKeeper.Left (_automatic holds: three regions or more), RegionHealthProber.Unavailable.
    public FailoverStatus GetStatus()
    {
        var now = Now;
        TimeSpan? left = _lease.ValidUntil(now, SelfGrants) - now;
        var view = _tracker.View(UtcNow);
        IReadOnlyList<RegionId> unavailable = [.. view.Suspected.Select(s => s.Region).Union(view.DeclaredDown.Select(s => s.Region))];
        return new FailoverStatus(Acceptor.Learned, left, unavailable, SelfGrants);
    }

    // OwnershipAcceptorHost.PrepareAsync (SafeTimes not modelled: see the class comment).
    public Task<PrepareReply> Prepare(Ballot ballot) => Acceptor.PrepareAsync(ballot);

    // OwnershipAcceptorHost.AcceptAsync with RegionLeaseKeeper.WaitBeforeTakeover (IgnoreLeases is false).
    public Task<AcceptReply> Accept(Ballot ballot, RegionConfiguration value) =>
        Acceptor.AcceptAsync(ballot, value, holder => holder == _region.Id ? _options.LeasePeriod : _lease.WaitBeforeTakeover(holder, Now));

    public Task Learn(RegionConfiguration chosen) => LearnCoreAsync(chosen);

    Task<PrepareReply> IAgreementPeers.PrepareAsync(RegionId acceptor, Ballot ballot, CancellationToken cancellationToken) =>
        acceptor == _region.Id ? Prepare(ballot) : _world.Network.CallObserverAsync(_region, Context, _world[acceptor], $"prepare {ballot}", h => h.Prepare(ballot), _options.CallTimeout);

    Task<AcceptReply> IAgreementPeers.AcceptAsync(RegionId acceptor, Ballot ballot, RegionConfiguration value, CancellationToken cancellationToken) =>
        acceptor == _region.Id ? Accept(ballot, value) : _world.Network.CallObserverAsync(_region, Context, _world[acceptor], $"accept {ballot}", h => h.Accept(ballot, value), _options.CallTimeout);

    Task IAgreementPeers.LearnAsync(RegionId learner, RegionConfiguration chosen, CancellationToken cancellationToken) =>
        learner == _region.Id ? Learn(chosen) : _world.Network.CallObserverAsync(_region, Context, _world[learner], $"learn {chosen.Generation}", async h => { await h.Learn(chosen); return true; }, _options.CallTimeout);

    // RegionLeaseKeeper.SelfGrants.
    // A region confirms its own lease unless it holds itself away, or has accepted a configuration it has not learned yet.
    private bool SelfGrants => !Acceptor.HoldsAway(_region.Id) && Acceptor.FenceGeneration <= Acceptor.Learned.Generation;

    // RegionHealthGrain.ProbeAll (the probes: RegionHealthProber.ProbeAll).
    private void ProbeAll()
    {
        var report = _tracker.Report(_node.Clock.Now());
        var mine = Acceptor.Learned;
        foreach (var peer in _tracker.Peers)
        {
            var behind = _peerGenerations.GetValueOrDefault(peer) < mine.Generation;
            _ = ProbeAsync(peer, _tracker.StartProbe(peer), new HealthProbe(report, mine.Generation, behind ? mine : null));
        }

        CheckLease();
        ProposeTakeovers();
        CompleteUndecided();
    }

    // OwnershipProposer.CompleteUndecided.
    private void CompleteUndecided()
    {
        if (Acceptor.FenceGeneration <= Acceptor.Learned.Generation)
        {
            _undecidedSince = null;
            return;
        }

        _undecidedSince ??= Now;
        if (Now - _undecidedSince < 2 * _options.ProbeInterval || !_proposing.IsCompleted)
        {
            return;
        }

        _undecidedSince = null;
        _proposing = CompleteAsync();

        async Task CompleteAsync()
        {
            var outcome = await _agreement.ChangeAsync((current, _) => Settled(current) is var settled && !ReferenceEquals(settled, current) ? settled : null, new HashSet<RegionId>(), CancellationToken.None);
            _world.Sim.Trace($"{_region.Id}: completing an undecided configuration: {outcome.Chosen?.ToString() ?? outcome.Reason}");
        }
    }

    // RegionHealthProber.ProbeAsync (the lease answer: RegionLeaseKeeper.ProbeAnswered).
    private async Task ProbeAsync(RegionId peer, long probe, HealthProbe request)
    {
        var sentAt = Now;
        HealthProbeReply reply;
        try
        {
            reply = await _world.Network.CallObserverAsync(_region, Context, _world[peer], "probe", h => h.Exchange(request), _options.ProbeTimeout);
            _node.Clock.Observe(reply.Report.ObservedAt, peer.Value);
        }
        catch (Exception)
        {
            Apply(_tracker.ProbeFailed(peer, probe, UtcNow));
            _healthySince.Remove(peer);
            CheckLease();
            return;
        }

        _peerGenerations[peer] = reply.Generation;
        if (reply.Configuration is { } theirs)
        {
            await LearnCoreAsync(theirs);
        }

        if (!reply.LeaseGranted)
        {
            _lease.Refused(peer);
        }
        else if (reply.FenceGeneration <= Acceptor.Learned.Generation)
        {
            _lease.Confirmed(peer, sentAt);
        }

        _healthySince.TryAdd(peer, Now);

        Apply(_tracker.ProbeSucceeded(peer, probe, reply.Report, UtcNow));
        CheckLease();
    }

    // RegionLeaseKeeper.Check.
    private void CheckLease()
    {
        var held = _lease.ValidUntil(Now, SelfGrants) is not null;
        if (held != _leaseHeld)
        {
            _leaseHeld = held;
            Record(_region.Id, held ? RegionHealthChange.LeaseRegained : RegionHealthChange.LeaseLapsed, string.Empty);
        }
    }

    // OwnershipAcceptorHost.LearnAsync.
    private async Task LearnCoreAsync(RegionConfiguration chosen)
    {
        var before = Acceptor.Learned;
        if (!await Acceptor.LearnAsync(chosen))
        {
            return;
        }

        foreach (var tenure in chosen.Tenures.Values.Where(t => !before.Tenures.TryGetValue(t.Region, out var old) || old.Epoch != t.Epoch))
        {
            Record(tenure.Region, tenure.State == TenureState.Away ? RegionHealthChange.OwnershipTransferred : RegionHealthChange.FailedBack, tenure.ToString());
        }

        CheckLease();
    }

    // OwnershipProposer.ProposeTakeovers.
    private void ProposeTakeovers()
    {
        if (!_proposing.IsCompleted)
        {
            return;
        }

        var view = _tracker.View(UtcNow);
        var learned = Acceptor.Learned;
        foreach (var down in view.DeclaredDown.Where(d => !learned.IsAway(d.Region)))
        {
            // Its observer does not answer, but its silos asked this region to confirm their lease since it was declared
            // down: the region is alive (its observer is moving to another silo, say), and the acceptors would refuse. A
            // confirmation from before the declaration (a dead region's last) does not hold the proposal back: the
            // acceptors' refusal says exactly how long to wait.
            if (_lease.GrantedWithin(down.Region, Now, UtcNow - down.Since))
            {
                continue;
            }

            var proposer = _world.RegionIds.Where(r => r != down.Region && !view.Suspects(r) && !learned.IsAway(r)).Order().FirstOrDefault();
            if (proposer == _region.Id || UtcNow - down.Since > 3 * _options.ProbeInterval)
            {
                _proposing = TakeOverAsync(down.Region);
                return;
            }
        }

        // Failback: a region taken over after a failure that this observer has heard without a break for the stable
        // period, and that no majority holds down, gets its grains back by a planned switchover.
        if (_options.FailbackAfter is not { } stable)
        {
            return;
        }

        // Ordered by region (the real code takes the ImmutableDictionary's hash order): see Settled.
        foreach (var tenure in learned.Tenures.Values.Where(t => t.State == TenureState.Away && !t.Planned).OrderBy(t => t.Region))
        {
            var proposer = _world.RegionIds.Where(r => !view.Suspects(r) && !learned.IsAway(r)).Order().FirstOrDefault();
            if (proposer == _region.Id && !view.HoldsDown(tenure.Region)
                && _healthySince.TryGetValue(tenure.Region, out var since) && Now - since >= stable)
            {
                _world.Sim.Trace($"{_region.Id}: failback of {tenure.Region} ({tenure})");
                _proposing = ChangeTenureCoreAsync(tenure.Region, away: false);
                return;
            }
        }
    }

    // OwnershipProposer.ChangeTenureAsync (_automatic holds: the simulation has three regions or more).
    public async Task ChangeTenure(RegionId region, bool away)
    {
        _ = _world[region];
        if (away && _world.RegionIds.Count(r => r != region && !Acceptor.Learned.IsAway(r)) == 0)
        {
            throw new InvalidOperationException($"Region '{region}' is the last region that owns grains; it cannot be drained.");
        }

        if (!away && !Acceptor.Learned.IsAway(region) && Acceptor.FenceGeneration <= Acceptor.Learned.Generation)
        {
            return; // it owns its grains: nothing to give back
        }

        if (!away && _tracker.View(UtcNow).Suspects(region))
        {
            throw new RegionUnreachableException(_region.Id, region, "it does not answer probes, so its grains cannot be given back to it now.");
        }

        // _proposing.ContinueWith(_ => { }, TaskScheduler.Current): wait for it, whatever its outcome, in this region's context.
        try
        {
            await _proposing;
        }
        catch (Exception)
        {
        }

        var change = ChangeTenureCoreAsync(region, away);
        _proposing = change;
        await change;
    }

    // OwnershipProposer.ChangeTenureCoreAsync (Task.Delay on the region's clock, Random from the seed).
    private async Task ChangeTenureCoreAsync(RegionId region, bool away)
    {
        const int MaxAttempts = 10;
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await _agreement.ChangeAsync(
                (current, promises) => away ? Drain(Settled(current), promises, region) ?? Settled(current) : Restore(Settled(current), region) ?? Settled(current),
                _world.RegionIds.ToHashSet(),
                CancellationToken.None);
            if (outcome.Chosen is not null)
            {
                _world.Sim.Trace($"{_region.Id}: the regions chose {outcome.Chosen} ({(away ? "drain" : "restore")} {region})");
                return;
            }

            if (attempt == MaxAttempts)
            {
                throw new RegionUnreachableException(_region.Id, region, $"the regions did not agree to {(away ? "drain" : "restore")} it: {outcome.Reason}");
            }

            await Task.Delay(outcome.RetryAfter > TimeSpan.Zero ? outcome.RetryAfter : TimeSpan.FromMilliseconds(_world.Sim.Random.Next(20, 100)), _region.Time);
        }
    }

    // TenurePlanner.Drain.
    private RegionConfiguration? Drain(RegionConfiguration current, IReadOnlyList<PrepareReply> promises, RegionId region)
    {
        if (current.IsAway(region))
        {
            return null;
        }

        var candidates = promises
            .Where(p => p.Acceptor != region)
            .ToDictionary(p => p.Acceptor, p => p.SafeTimes.TryGetValue(region, out var safeTime) ? safeTime : (HybridTimestamp?)null);
        var successors = SuccessorChoice.Choose(region, current, candidates, _world.RegionIds, SimWorld.PartitionsPerRegion, _ => FailoverOptions.DefaultCapacity);
        return current.With(region, TenureState.Away, successors, UtcNow, planned: true);
    }

    // TenurePlanner.Restore.
    private RegionConfiguration? Restore(RegionConfiguration current, RegionId region) =>
        current.IsAway(region) ? current.With(region, TenureState.Owning, [], UtcNow, planned: true) : null;

    // OwnershipProposer.TakeOverAsync (Task.Delay on the region's clock, Random from the seed).
    private async Task TakeOverAsync(RegionId failed)
    {
        const int MaxAttempts = 20;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var view = _tracker.View(UtcNow);
            if (!view.HoldsDown(failed) || Acceptor.Learned.IsAway(failed))
            {
                return;
            }

            AgreementOutcome outcome;
            try
            {
                var awaited = _world.RegionIds.Where(r => r != failed && !view.Suspects(r)).ToHashSet();
                outcome = await _agreement.ChangeAsync((current, promises) => Away(current, promises, failed), awaited, CancellationToken.None);
            }
            catch (Exception exception)
            {
                outcome = AgreementOutcome.NotDecided(_options.ProbeInterval, exception.Message);
            }

            if (outcome.Chosen is not null)
            {
                _world.Sim.Trace($"{_region.Id}: the regions chose {outcome.Chosen}");
                return;
            }

            _world.Sim.Trace($"{_region.Id}: taking over {failed} not decided yet (attempt {attempt}): {outcome.Reason}");
            var wait = outcome.RetryAfter > TimeSpan.Zero
                ? outcome.RetryAfter + TimeSpan.FromMilliseconds(10)
                : TimeSpan.FromMilliseconds(_world.Sim.Random.Next(20, 100));
            await Task.Delay(wait, _region.Time);
        }
    }

    // TenurePlanner.Settled.
    private RegionConfiguration Settled(RegionConfiguration current)
    {
        var learned = Acceptor.Learned;
        var view = _tracker.View(UtcNow);
        // Ordered by region (the real code takes the ImmutableDictionary's hash order): string hashes differ between
        // processes, and a seed must replay the same in every process.
        foreach (var tenure in current.Tenures.Values.Where(t => t.State == TenureState.Away && !t.Planned).OrderBy(t => t.Region).ToList())
        {
            var known = learned.Tenures.TryGetValue(tenure.Region, out var mine) && mine.Epoch == tenure.Epoch;
            if (!known && !view.HoldsDown(tenure.Region))
            {
                _world.Sim.Trace($"{_region.Id}: the undecided takeover of {tenure.Region} ({tenure}) is undone");
                current = current.With(tenure.Region, TenureState.Owning, [], UtcNow, planned: true);
            }
        }

        return current;
    }

    // TenurePlanner.Away.
    private RegionConfiguration? Away(RegionConfiguration current, IReadOnlyList<PrepareReply> promises, RegionId failed)
    {
        var settled = Settled(current);
        if (settled.IsAway(failed))
        {
            return ReferenceEquals(settled, current) ? null : settled;
        }

        current = settled;

        var candidates = promises
            .Where(p => p.Acceptor != failed)
            .ToDictionary(p => p.Acceptor, p => p.SafeTimes.TryGetValue(failed, out var safeTime) ? safeTime : (HybridTimestamp?)null);
        var successors = SuccessorChoice.Choose(failed, current, candidates, _world.RegionIds, SimWorld.PartitionsPerRegion, _ => FailoverOptions.DefaultCapacity);
        return current.With(failed, TenureState.Away, successors, UtcNow);
    }

    // RegionHealthProber.Apply.
    private void Apply(IReadOnlyList<(RegionId Subject, RegionHealthChange Change)> changes)
    {
        foreach (var (subject, change) in changes)
        {
            Record(subject, change, string.Empty);
        }

        // A region just declared down is taken over at once, not at the next probe round.
        if (changes.Any(c => c.Change == RegionHealthChange.DeclaredDown))
        {
            ProposeTakeovers();
        }
    }

    private void Record(RegionId subject, RegionHealthChange change, string detail) =>
        _world.Sim.Trace($"{_region.Id}: {subject} {change} {detail}");
}
