using GeoGrains.Configuration;
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

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// The region's health observer, lease keeper and acceptor: one activation per region (key 0), kept alive by its timer
/// and re-activated by <see cref="RegionHealthKeeper"/> on another silo when its silo dies. The grain hosts the roles and
/// forwards each call to the role that owns it: every probe interval <see cref="RegionHealthProber"/> probes every other
/// region's observer through the links; <see cref="RegionLeaseKeeper"/> confirms the other regions' leases, to their
/// observers' probes and to their silos (<see cref="ConfirmLease"/>: each silo holds its region's lease itself,
/// <see cref="SiloLease"/>, so a region's writes do not depend on the silo running its observer);
/// <see cref="OwnershipAcceptorHost"/> is the region's acceptor; when a majority declares a region down, the first region
/// not suspected proposes to move what it owned (<see cref="OwnershipProposer"/>, with the values of
/// <see cref="TenurePlanner"/>), which the acceptors accept only once they can no longer have confirmed its lease; and
/// <see cref="RegionHealthTimeline"/> keeps and publishes what changed. Reentrant: a probe must be answered while this
/// observer waits for its own probes, or two observers probing each other would time each other out.
/// </summary>
[Reentrant]
internal sealed class RegionHealthGrain : Grain, IRegionHealthGrain, IRegionHealthPeer, IAgreementPeers
{
    private readonly LocalRegion _region;
    private readonly IRegionLinks _links;
    private readonly ILogger _logger;
    private readonly RegionHealthOptions _health;
    private readonly string _silo;
    private readonly RegionHealthTimeline _timeline;
    private readonly RegionLeaseKeeper _leases;
    private readonly OwnershipAcceptorHost _acceptor;
    private readonly RegionHealthProber _prober;
    private readonly OwnershipProposer _proposer;

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
        _links = links;
        _logger = logger;
        _health = health.Value;
        var regions = topology.RegionIds.ToList();
        var automatic = failover.Value.IsAutomatic(regions.Count);
        var observerClock = new ObserverClock(time);
        var acceptor = new OwnershipAcceptor(table, serializer);
        _timeline = new RegionHealthTimeline(region.Id, clock, time, logger);
        _leases = new RegionLeaseKeeper(region.Id, topology, failover.Value, automatic, acceptor, observerClock, _timeline);
        _acceptor = new OwnershipAcceptorHost(region.Id, topology, freshness, acceptor, _leases, _timeline, logger);
        _prober = new RegionHealthProber(region.Id, topology, links, clock, time, observerClock, _health, _acceptor, _leases, _timeline, ProposeTakeovers, logger);
        var planner = new TenurePlanner(region.Id, topology, partitioning.PartitionsPerRegion, failover.Value, acceptor, _prober, time, logger);
        var agreement = new OwnershipAgreement(region.Id, regions, this, linkOptions.Value.CallTimeout, logger);
        _proposer = new OwnershipProposer(region.Id, topology, automatic, failover.Value, _health, agreement, planner, acceptor, _prober, _leases, observerClock, time, logger);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await _acceptor.LoadAsync(cancellationToken);
        _timeline.PublishTo(this.GetStreamProvider(RegionHealthStream.ProviderName)
            .GetStream<RegionHealthEvent>(StreamId.Create(RegionHealthStream.Namespace, _region.Id.Value)));
        this.RegisterGrainTimer(ProbeAll, new GrainTimerCreationOptions(TimeSpan.Zero, _health.ProbeInterval) { Interleave = true, KeepAlive = true });
        _logger.LogInformation("Region {Region}: health observer started on this silo (configuration {Configuration}).", _region.Id, _acceptor.Learned);
    }

    public Task<RegionHealthView> GetView() => Task.FromResult(_prober.View() with { Silo = _silo });

    public Task<IReadOnlyList<RegionHealthEvent>> GetTimeline() => Task.FromResult(_timeline.Events);

    public Task<HealthProbeReply> Exchange(HealthProbe probe) => _prober.ExchangeAsync(probe);

    public Task<LeaseReply> ConfirmLease(LeaseRequest request) => Task.FromResult(_leases.Confirm(request));

    public Task<FailoverStatus> GetStatus()
    {
        var left = _leases.Left();
        var unavailable = _prober.Unavailable();
        return Task.FromResult(new FailoverStatus(_acceptor.Learned, left, unavailable, _leases.SelfGrants));
    }

    public Task<PrepareReply> Prepare(Ballot ballot) => _acceptor.PrepareAsync(ballot);

    public Task<AcceptReply> Accept(Ballot ballot, RegionConfiguration value) => _acceptor.AcceptAsync(ballot, value);

    public Task Learn(RegionConfiguration chosen) => _acceptor.LearnAsync(chosen);

    public Task FirstWriteServed(long epoch)
    {
        _timeline.FirstWriteServed(epoch, _acceptor.Learned);
        return Task.CompletedTask;
    }

    public Task ChangeTenure(RegionId region, bool away) => _proposer.ChangeTenureAsync(region, away);

    Task<PrepareReply> IAgreementPeers.PrepareAsync(RegionId acceptor, Ballot ballot, CancellationToken cancellationToken) =>
        acceptor == _region.Id ? Prepare(ballot) : _links.InvokeAsync(acceptor, g => g.GetGrain<IRegionHealthPeer>(0).Prepare(ballot), cancellationToken);

    Task<AcceptReply> IAgreementPeers.AcceptAsync(RegionId acceptor, Ballot ballot, RegionConfiguration value, CancellationToken cancellationToken) =>
        acceptor == _region.Id ? Accept(ballot, value) : _links.InvokeAsync(acceptor, g => g.GetGrain<IRegionHealthPeer>(0).Accept(ballot, value), cancellationToken);

    Task IAgreementPeers.LearnAsync(RegionId learner, RegionConfiguration chosen, CancellationToken cancellationToken) =>
        learner == _region.Id ? Learn(chosen) : _links.InvokeAsync(learner, g => g.GetGrain<IRegionHealthPeer>(0).Learn(chosen), cancellationToken);

    // One probe round: the probes leave, then this region's lease, the takeovers and any undecided value are looked at.
    private Task ProbeAll()
    {
        _prober.ProbeAll();
        _leases.Check();
        _proposer.ProposeTakeovers();
        _proposer.CompleteUndecided();
        return Task.CompletedTask;
    }

    // The prober's call when a region was just declared down: the proposer, built after it (it reads the prober's view),
    // is there before any probe runs.
    private void ProposeTakeovers() => _proposer.ProposeTakeovers();
}
