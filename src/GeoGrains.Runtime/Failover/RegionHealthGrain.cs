using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Hosting;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Streams;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// The region's health observer: one activation per region (key 0), kept alive by its timer and re-activated by
/// <see cref="RegionHealthKeeper"/> on another silo when its silo dies. Every probe interval it probes every other
/// region's observer through the links, sending its own report and receiving theirs, so one message per region and
/// interval carries both the liveness check and the votes. Reentrant: a probe must be answered while this observer
/// waits for its own probes, or two observers probing each other would time each other out.
/// </summary>
[Reentrant]
internal sealed class RegionHealthGrain(
    LocalRegion region,
    GeoTopology topology,
    IRegionLinks links,
    HybridLogicalClock clock,
    TimeProvider time,
    IOptions<GeoGrainsOptions> options,
    ILogger<RegionHealthGrain> logger) : Grain, IRegionHealthGrain, IRegionHealthPeer
{
    private const int TimelineCapacity = 256;

    private readonly RegionHealthOptions _options = options.Value.Health;
    private readonly RegionHealthTracker _tracker = new(region.Id, topology.RegionIds, options.Value.Health.FailuresToSuspect);
    private readonly Queue<RegionHealthEvent> _timeline = new();
    private IAsyncStream<RegionHealthEvent>? _stream;
    private Task _publishing = Task.CompletedTask;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = this.GetStreamProvider(RegionHealthStream.ProviderName)
            .GetStream<RegionHealthEvent>(StreamId.Create(RegionHealthStream.Namespace, region.Id.Value));
        this.RegisterGrainTimer(ProbeAll, new GrainTimerCreationOptions(TimeSpan.Zero, _options.ProbeInterval) { Interleave = true, KeepAlive = true });
        logger.LogInformation("Region {Region}: health observer started on this silo.", region.Id);
        return Task.CompletedTask;
    }

    public Task<RegionHealthView> GetView() => Task.FromResult(_tracker.View(time.GetUtcNow()));

    public Task<IReadOnlyList<RegionHealthEvent>> GetTimeline() => Task.FromResult<IReadOnlyList<RegionHealthEvent>>([.. _timeline]);

    public Task<RegionHealthReport> Exchange(RegionHealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!topology.Contains(report.Reporter))
        {
            throw new UnknownRegionException(report.Reporter, topology.RegionIds);
        }

        clock.Observe(report.ObservedAt);
        Apply(_tracker.Learn(report, time.GetUtcNow()));
        return Task.FromResult(_tracker.Report(clock.Now()));
    }

    public Task Ensure() => Task.CompletedTask;

    private Task ProbeAll()
    {
        // Each probe runs on its own so that a region that does not answer delays neither the others nor the next round:
        // a probe of every region leaves every interval, and an outcome older than one already applied is ignored.
        var report = _tracker.Report(clock.Now());
        foreach (var peer in _tracker.Peers)
        {
            _ = ProbeAsync(peer, _tracker.StartProbe(peer), report);
        }

        return Task.CompletedTask;
    }

    private async Task ProbeAsync(RegionId peer, long probe, RegionHealthReport report)
    {
        RegionHealthReport reply;
        try
        {
            using var timeout = new CancellationTokenSource(_options.ProbeTimeout);
            reply = await links.InvokeAsync(peer, grains => grains.GetGrain<IRegionHealthPeer>(0).Exchange(report), timeout.Token)
                .WaitAsync(_options.ProbeTimeout);
            clock.Observe(reply.ObservedAt);
        }
        catch (Exception exception)
        {
            logger.LogDebug("Region {Region}: probe {Probe} of {Peer} failed: {Reason}", region.Id, probe, peer, exception.Message);
            Apply(_tracker.ProbeFailed(peer, probe, time.GetUtcNow()));
            return;
        }

        Apply(_tracker.ProbeSucceeded(peer, probe, reply, time.GetUtcNow()));
    }

    private void Apply(IReadOnlyList<(RegionId Subject, RegionHealthChange Change)> changes)
    {
        foreach (var (subject, change) in changes)
        {
            var health = new RegionHealthEvent(region.Id, subject, change, time.GetUtcNow(), clock.Now());
            logger.LogInformation("Region {Region}: {Subject} {Change}.", region.Id, subject, change);
            if (_timeline.Count == TimelineCapacity)
            {
                _timeline.Dequeue();
            }

            _timeline.Enqueue(health);
            _publishing = PublishAfterAsync(_publishing, health);
        }
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
            logger.LogWarning("Region {Region}: could not publish health change {Change} of {Subject}: {Reason}", region.Id, health.Change, health.Subject, exception.Message);
        }
    }
}
