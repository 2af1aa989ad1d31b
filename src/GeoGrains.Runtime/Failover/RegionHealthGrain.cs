using GeoGrains.Configuration;
using System.Collections.Immutable;
using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Streams;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// The region's health observer, lease keeper and acceptor: one activation per region (key 0), kept alive by its timer
/// and re-activated by <see cref="RegionHealthKeeper"/> on another silo when its silo dies. Every probe interval it probes
/// every other region's observer through the links; one message per region and interval carries the liveness check,
/// the votes, the lease confirmation and the configuration, so a region that returns learns the new owners in the same
/// answer that refuses its lease. It also confirms the leases of the other regions' silos (<see cref="ConfirmLease"/>):
/// each silo holds its region's lease itself (<see cref="SiloLease"/>), so a region's writes do not depend on the silo
/// running its observer. When a majority declares a region down, the first region not suspected proposes to
/// move what it owned (<see cref="OwnershipAgreement"/>), which the acceptors accept only once they can no longer have
/// confirmed its lease. Reentrant: a probe must be answered while this observer waits for its own probes, or two
/// observers probing each other would time each other out.
/// </summary>
[Reentrant]
internal sealed class RegionHealthGrain : Grain, IRegionHealthGrain, IRegionHealthPeer, IAgreementPeers
{
    private const int TimelineCapacity = 256;

    private readonly LocalRegion _region;
    private readonly GeoTopology _topology;
    private readonly IRegionLinks _links;
    private readonly HybridLogicalClock _clock;
    private readonly TimeProvider _time;
    private readonly ReplicaFreshness _freshness;
    private readonly ILogger _logger;
    private readonly RegionHealthOptions _health;
    private readonly int _partitionsPerRegion;
    private readonly FailoverOptions _failover;
    private readonly bool _automatic;
    private readonly RegionHealthTracker _tracker;
    private readonly RegionLease _lease;
    private readonly OwnershipAcceptor _acceptor;
    private readonly OwnershipAgreement _agreement;
    private readonly long _origin;
    private readonly string _silo;
    private readonly Queue<RegionHealthEvent> _timeline = new();
    private readonly Dictionary<RegionId, long> _peerGenerations = [];
    private readonly HashSet<long> _firstWrites = [];
    private readonly Dictionary<RegionId, TimeSpan> _healthySince = [];
    private IAsyncStream<RegionHealthEvent>? _stream;
    private Task _publishing = Task.CompletedTask;
    private Task _proposing = Task.CompletedTask;
    private bool _leaseHeld;
    private TimeSpan? _undecidedSince;

    public RegionHealthGrain(
        LocalRegion region,
        GeoTopology topology,
        IRegionLinks links,
        HybridLogicalClock clock,
        TimeProvider time,
        ReplicaFreshness freshness,
        IRegionTable table,
        Serializer serializer,
        IOptions<RegionHealthOptions> health,
        IOptions<FailoverOptions> failover,
        IOptions<GeoLinkOptions> linkOptions,
        HomePartitioning partitioning,
        ILocalSiloDetails silo,
        ILogger<RegionHealthGrain> logger)
    {
        _silo = silo.SiloAddress.ToString();
        _region = region;
        _topology = topology;
        _links = links;
        _clock = clock;
        _time = time;
        _freshness = freshness;
        _logger = logger;
        _health = health.Value;
        _failover = failover.Value;
        _partitionsPerRegion = partitioning.PartitionsPerRegion;
        var regions = topology.RegionIds.ToList();
        _automatic = _failover.IsAutomatic(regions.Count);
        _tracker = new RegionHealthTracker(region.Id, regions, _health.FailuresToSuspect, time.GetUtcNow(), _health.StartupGrace);
        _origin = time.GetTimestamp();
        _lease = new RegionLease(region.Id, regions.Count, _failover.LeasePeriod, _failover.MaxClockOffset, Now);
        _acceptor = new OwnershipAcceptor(table, serializer);
        _agreement = new OwnershipAgreement(region.Id, regions, this, linkOptions.Value.CallTimeout, logger);
    }

    // The observer's monotonic clock: lease times are never taken from the wall clock.
    private TimeSpan Now => _time.GetElapsedTime(_origin);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await _acceptor.LoadAsync(cancellationToken);
        _stream = this.GetStreamProvider(RegionHealthStream.ProviderName)
            .GetStream<RegionHealthEvent>(StreamId.Create(RegionHealthStream.Namespace, _region.Id.Value));
        this.RegisterGrainTimer(ProbeAll, new GrainTimerCreationOptions(TimeSpan.Zero, _health.ProbeInterval) { Interleave = true, KeepAlive = true });
        _logger.LogInformation("Region {Region}: health observer started on this silo (configuration {Configuration}).", _region.Id, _acceptor.Learned);
    }

    public Task<RegionHealthView> GetView() => Task.FromResult(_tracker.View(_time.GetUtcNow()) with { Silo = _silo });

    public Task<IReadOnlyList<RegionHealthEvent>> GetTimeline() => Task.FromResult<IReadOnlyList<RegionHealthEvent>>([.. _timeline]);

    public async Task<HealthProbeReply> Exchange(HealthProbe probe)
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
            await LearnCoreAsync(theirs);
        }

        Apply(_tracker.Learn(probe.Report, _time.GetUtcNow()));
        var grant = !_acceptor.HoldsAway(prober);
        if (grant)
        {
            _lease.Grant(prober, Now);
        }

        var mine = _acceptor.Learned;
        return new HealthProbeReply(_tracker.Report(_clock.Now()), grant, mine.Generation, probe.Generation < mine.Generation ? mine : null, _acceptor.FenceGeneration);
    }

    public Task<LeaseReply> ConfirmLease(LeaseRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_topology.Contains(request.Holder))
        {
            throw new UnknownRegionException(request.Holder, _topology.RegionIds);
        }

        // Synchronous, like Exchange: the check and the grant happen in one turn, so an acceptance that starts after it
        // sees the grant (WaitBeforeTakeover), and one under way is seen by HoldsAway (the value being accepted counts).
        var grant = request.Holder != _region.Id && !_acceptor.HoldsAway(request.Holder);
        if (grant)
        {
            _lease.Grant(request.Holder, Now);
        }

        var mine = _acceptor.Learned;
        return Task.FromResult(new LeaseReply(grant, mine.Generation, request.Generation < mine.Generation ? mine : null, _acceptor.FenceGeneration));
    }

    public Task<FailoverStatus> GetStatus()
    {
        var now = Now;
        TimeSpan? left = _automatic ? _lease.ValidUntil(now, SelfGrants) - now : TimeSpan.MaxValue;
        var view = _tracker.View(_time.GetUtcNow());
        IReadOnlyList<RegionId> unavailable = [.. view.Suspected.Select(s => s.Region).Union(view.DeclaredDown.Select(s => s.Region))];
        return Task.FromResult(new FailoverStatus(_acceptor.Learned, left, unavailable, SelfGrants));
    }

    public async Task<PrepareReply> Prepare(Ballot ballot)
    {
        var reply = await _acceptor.PrepareAsync(ballot);
        var safeTimes = ImmutableDictionary.CreateBuilder<RegionId, HybridTimestamp>();
        foreach (var source in _topology.RegionIds.Where(r => r != _region.Id))
        {
            if (_freshness.SafeTime(source) is { } safeTime)
            {
                safeTimes[source] = safeTime;
            }
        }

        return reply with { SafeTimes = safeTimes.ToImmutable() };
    }

    public Task<AcceptReply> Accept(Ballot ballot, RegionConfiguration value) =>
        _acceptor.AcceptAsync(ballot, value, holder => _failover.IgnoreLeases ? TimeSpan.Zero : holder == _region.Id ? _failover.LeasePeriod : _lease.WaitBeforeTakeover(holder, Now));

    public Task Learn(RegionConfiguration chosen) => LearnCoreAsync(chosen);

    public Task FirstWriteServed(long epoch)
    {
        if (_firstWrites.Add(epoch) && _acceptor.Learned.TenureAt(epoch) is { } tenure)
        {
            Record(tenure.Region, RegionHealthChange.FirstWriteServed, $"epoch {epoch}");
        }

        return Task.CompletedTask;
    }

    Task<PrepareReply> IAgreementPeers.PrepareAsync(RegionId acceptor, Ballot ballot, CancellationToken cancellationToken) =>
        acceptor == _region.Id ? Prepare(ballot) : _links.InvokeAsync(acceptor, g => g.GetGrain<IRegionHealthPeer>(0).Prepare(ballot), cancellationToken);

    Task<AcceptReply> IAgreementPeers.AcceptAsync(RegionId acceptor, Ballot ballot, RegionConfiguration value, CancellationToken cancellationToken) =>
        acceptor == _region.Id ? Accept(ballot, value) : _links.InvokeAsync(acceptor, g => g.GetGrain<IRegionHealthPeer>(0).Accept(ballot, value), cancellationToken);

    Task IAgreementPeers.LearnAsync(RegionId learner, RegionConfiguration chosen, CancellationToken cancellationToken) =>
        learner == _region.Id ? Learn(chosen) : _links.InvokeAsync(learner, g => g.GetGrain<IRegionHealthPeer>(0).Learn(chosen), cancellationToken);

    // A region confirms its own lease unless it holds itself away, or has accepted a configuration it has not learned yet.
    private bool SelfGrants => !_acceptor.HoldsAway(_region.Id) && _acceptor.FenceGeneration <= _acceptor.Learned.Generation;

    private Task ProbeAll()
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

        CheckLease();
        ProposeTakeovers();
        CompleteUndecided();
        return Task.CompletedTask;
    }

    /// <summary>
    /// A value this acceptor accepted but never learned was chosen (its proposer did not get to tell everyone) or was not
    /// (its proposer stopped half way). Either way it fences leases (<see cref="HealthProbeReply.FenceGeneration"/>) until
    /// it is decided, so after two probe intervals this region decides it itself: a round that changes nothing, which
    /// makes the highest accepted value chosen and learned everywhere.
    /// </summary>
    private void CompleteUndecided()
    {
        if (_acceptor.FenceGeneration <= _acceptor.Learned.Generation)
        {
            _undecidedSince = null;
            return;
        }

        _undecidedSince ??= Now;
        if (Now - _undecidedSince < 2 * _health.ProbeInterval || !_proposing.IsCompleted)
        {
            return;
        }

        _undecidedSince = null;
        _proposing = CompleteAsync();

        async Task CompleteAsync()
        {
            var outcome = await _agreement.ChangeAsync((current, _) => Settled(current) is var settled && !ReferenceEquals(settled, current) ? settled : null, new HashSet<RegionId>(), CancellationToken.None);
            _logger.LogInformation("Region {Region}: completing an undecided configuration: {Outcome}", _region.Id, outcome.Chosen?.ToString() ?? outcome.Reason);
        }
    }

    private async Task ProbeAsync(RegionId peer, long probe, HealthProbe request)
    {
        var sentAt = Now;
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
            _logger.LogDebug("Region {Region}: probe {Probe} of {Peer} failed: {Reason}", _region.Id, probe, peer, exception.Message);
            Apply(_tracker.ProbeFailed(peer, probe, _time.GetUtcNow()));
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
        else if (reply.FenceGeneration <= _acceptor.Learned.Generation)
        {
            _lease.Confirmed(peer, sentAt);
        }

        // Otherwise the peer has accepted a configuration this region has not learned yet: its confirmation waits until
        // this region learns it (the earlier confirmation stands until it lapses).
        _healthySince.TryAdd(peer, Now);

        Apply(_tracker.ProbeSucceeded(peer, probe, reply.Report, _time.GetUtcNow()));
        CheckLease();
    }

    private void CheckLease()
    {
        if (!_automatic)
        {
            return;
        }

        var held = _lease.ValidUntil(Now, SelfGrants) is not null;
        if (held != _leaseHeld)
        {
            _leaseHeld = held;
            Record(_region.Id, held ? RegionHealthChange.LeaseRegained : RegionHealthChange.LeaseLapsed, string.Empty);
        }
    }

    private async Task LearnCoreAsync(RegionConfiguration chosen)
    {
        var before = _acceptor.Learned;
        if (!await _acceptor.LearnAsync(chosen))
        {
            return;
        }

        _logger.LogInformation("Region {Region}: learned configuration {Configuration}.", _region.Id, chosen);
        foreach (var tenure in chosen.Tenures.Values.Where(t => !before.Tenures.TryGetValue(t.Region, out var old) || old.Epoch != t.Epoch))
        {
            Record(tenure.Region, tenure.State == TenureState.Away ? RegionHealthChange.OwnershipTransferred : RegionHealthChange.FailedBack, tenure.ToString());
        }

        CheckLease();
    }

    /// <summary>
    /// Starts moving the grains of a region a majority holds down, unless a move is under way. The first region in the
    /// topology's order that this observer does not suspect proposes; any other proposes too once the region has been
    /// down for three more probe intervals, in case the first cannot.
    /// </summary>
    private void ProposeTakeovers()
    {
        if (!_automatic || !_proposing.IsCompleted)
        {
            return;
        }

        var view = _tracker.View(_time.GetUtcNow());
        var learned = _acceptor.Learned;
        foreach (var down in view.DeclaredDown.Where(d => !learned.IsAway(d.Region)))
        {
            // Its observer does not answer, but its silos asked this region to confirm their lease since it was declared
            // down: the region is alive (its observer is moving to another silo, say), and the acceptors would refuse. A
            // confirmation from before the declaration (a dead region's last) does not hold the proposal back: the
            // acceptors' refusal says exactly how long to wait.
            if (_lease.GrantedWithin(down.Region, Now, _time.GetUtcNow() - down.Since))
            {
                continue;
            }

            var proposer = _topology.RegionIds.Where(r => r != down.Region && !view.Suspects(r) && !learned.IsAway(r)).Order().FirstOrDefault();
            if (proposer == _region.Id || _time.GetUtcNow() - down.Since > 3 * _health.ProbeInterval)
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
            if (proposer == _region.Id && !view.HoldsDown(tenure.Region)
                && _healthySince.TryGetValue(tenure.Region, out var since) && Now - since >= stable)
            {
                _proposing = ChangeTenureCoreAsync(tenure.Region, away: false);
                return;
            }
        }
    }

    public async Task ChangeTenure(RegionId region, bool away)
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

        if (!away && _tracker.View(_time.GetUtcNow()).Suspects(region))
        {
            throw new RegionUnreachableException(_region.Id, region, "it does not answer probes, so its grains cannot be given back to it now.");
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
                (current, promises) => away ? Drain(Settled(current), promises, region) ?? Settled(current) : Restore(Settled(current), region) ?? Settled(current),
                _topology.RegionIds.ToHashSet(),
                CancellationToken.None);
            if (outcome.Chosen is not null)
            {
                return;
            }

            if (attempt == MaxAttempts)
            {
                throw new RegionUnreachableException(_region.Id, region, $"the regions did not agree to {(away ? "drain" : "restore")} it: {outcome.Reason}");
            }

            await Task.Delay(outcome.RetryAfter > TimeSpan.Zero ? outcome.RetryAfter : TimeSpan.FromMilliseconds(Random.Shared.Next(20, 100)));
        }
    }

    private RegionConfiguration? Drain(RegionConfiguration current, IReadOnlyList<PrepareReply> promises, RegionId region)
    {
        if (current.IsAway(region))
        {
            return null;
        }

        var candidates = promises
            .Where(p => p.Acceptor != region)
            .ToDictionary(p => p.Acceptor, p => p.SafeTimes.TryGetValue(region, out var safeTime) ? safeTime : (HybridTimestamp?)null);
        var successors = SuccessorChoice.Choose(region, current, candidates, _topology.RegionIds, _partitionsPerRegion, _failover.CapacityOf);
        return current.With(region, TenureState.Away, successors, _time.GetUtcNow(), planned: true);
    }

    private RegionConfiguration? Restore(RegionConfiguration current, RegionId region) =>
        current.IsAway(region) ? current.With(region, TenureState.Owning, [], _time.GetUtcNow(), planned: true) : null;

    private async Task TakeOverAsync(RegionId failed)
    {
        const int MaxAttempts = 20;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var view = _tracker.View(_time.GetUtcNow());
            if (!view.HoldsDown(failed) || _acceptor.Learned.IsAway(failed))
            {
                return;
            }

            AgreementOutcome outcome;
            try
            {
                var awaited = _topology.RegionIds.Where(r => r != failed && !view.Suspects(r)).ToHashSet();
                outcome = await _agreement.ChangeAsync((current, promises) => Away(current, promises, failed), awaited, CancellationToken.None);
            }
            catch (Exception exception)
            {
                outcome = AgreementOutcome.NotDecided(_health.ProbeInterval, exception.Message);
            }

            if (outcome.Chosen is not null)
            {
                return;
            }

            _logger.LogInformation("Region {Region}: taking over {Failed} not decided yet (attempt {Attempt}): {Reason}", _region.Id, failed, attempt, outcome.Reason);
            var wait = outcome.RetryAfter > TimeSpan.Zero
                ? outcome.RetryAfter + TimeSpan.FromMilliseconds(10)
                : TimeSpan.FromMilliseconds(Random.Shared.Next(20, 100));
            await Task.Delay(wait);
        }
    }

    /// <summary>
    /// The current value, with every takeover this region never learned was decided, of a region it does not hold down,
    /// turned into a planned return. Such a value was accepted somewhere but may never have been chosen (a proposal made
    /// when regions suspected each other at start-up, say); carried forward as it is, every later change would contain it
    /// and be refused for that region's lease, and nothing could be decided any more. A planned return is a legal next
    /// state whether or not the takeover was chosen, and loses nothing: its new owner waits and gathers as for any return.
    /// </summary>
    private RegionConfiguration Settled(RegionConfiguration current)
    {
        var learned = _acceptor.Learned;
        var view = _tracker.View(_time.GetUtcNow());
        foreach (var tenure in current.Tenures.Values.Where(t => t.State == TenureState.Away && !t.Planned).ToList())
        {
            var known = learned.Tenures.TryGetValue(tenure.Region, out var mine) && mine.Epoch == tenure.Epoch;
            if (!known && !view.HoldsDown(tenure.Region))
            {
                _logger.LogWarning("Region {Region}: the undecided takeover of {Other} ({Tenure}) is undone: {Other} is not held down.", _region.Id, tenure.Region, tenure, tenure.Region);
                current = current.With(tenure.Region, TenureState.Owning, [], _time.GetUtcNow(), planned: true);
            }
        }

        return current;
    }

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
        var successors = SuccessorChoice.Choose(failed, current, candidates, _topology.RegionIds, _partitionsPerRegion, _failover.CapacityOf);
        return current.With(failed, TenureState.Away, successors, _time.GetUtcNow());
    }

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

    private void Record(RegionId subject, RegionHealthChange change, string detail)
    {
        var health = new RegionHealthEvent(_region.Id, subject, change, _time.GetUtcNow(), _clock.Now(), detail);
        _logger.LogInformation("Region {Region}: {Subject} {Change} {Detail}", _region.Id, subject, change, detail);
        if (_timeline.Count == TimelineCapacity)
        {
            _timeline.Dequeue();
        }

        _timeline.Enqueue(health);
        _publishing = PublishAfterAsync(_publishing, health);
    }

    private async Task PublishAfterAsync(Task previous, RegionHealthEvent health)
    {
        // Published one after another, so that subscribers see the changes in the order the observer made them.
        await previous;
        try
        {
            await _stream!.OnNextAsync(health);
        }
        catch (Exception exception)
        {
            _logger.LogWarning("Region {Region}: could not publish health change {Change} of {Subject}: {Reason}", _region.Id, health.Change, health.Subject, exception.Message);
        }
    }
}
