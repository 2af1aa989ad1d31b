using GeoGrains.Configuration;
using GeoGrains.Runtime.Storage;
using System.Collections.Frozen;
using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// The silo's side of the replication stream: one <see cref="ChangeShipper"/> per other region, fed by this silo's
/// commits, and the <see cref="Outbox"/> of markers those commits wrote. Markers left by silos that are gone are resumed
/// by one silo of the region (<see cref="OutboxRecoveryGrain"/>), at start and every <see cref="ReplicationOptions.OrphanAfter"/>.
/// </summary>
internal sealed class GeoReplication : IChangeShipping, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly IGrainFactory _grains;
    private readonly ReplicationOptions _options;
    private readonly ILogger _logger;
    private readonly FrozenDictionary<RegionId, ChangeShipper> _shippers;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _running = [];

    public GeoReplication(
        GeoTopology topology,
        LocalRegion region,
        IRegionLinks links,
        GeoStore store,
        ReplicationBatchCodec codec,
        ReplicationMetrics metrics,
        ILocalSiloDetails silo,
        IClusterMembershipService membership,
        IGrainFactory grains,
        HybridLogicalClock clock,
        IDeltaShipping deltas,
        TimeProvider time,
        IOptions<ReplicationOptions> options,
        IOptions<GeoLinkOptions> linkOptions,
        ILogger<GeoReplication> logger)
    {
        _grains = grains;
        _options = options.Value;
        _logger = logger;
        Silo = silo.SiloAddress.ToParsableString();
        Targets = [.. topology.RegionIds.Where(r => r != region.Id)];
        Outbox = new Outbox(store, Targets, _options, time, Resume, logger);
        Acknowledgements = new ReplicationAcknowledgements(Targets, time, region.Id);
        Commits = new CommitsInProgress(clock);
        var freshness = new SafeTimeSource(Silo, Commits.Floor, () => LiveSilos(membership));
        Func<ReplicatedChange, RegionId, ReplicatedChange>? deltaShipping = _options.ShipDeltas ? (change, target) => deltas.ForTarget(change, target, Outbox.AcknowledgedVersion) : null;
        _shippers = Targets.ToFrozenDictionary(
            r => r, r => new ChangeShipper(region.Id, r, links, Acknowledged, codec, metrics, _options, logger, freshness, linkOptions.Value.CallTimeout, deltaShipping, time, Refused));
    }

    /// <summary>The regions every commit ships to.</summary>
    public IReadOnlyList<RegionId> Targets { get; }

    /// <summary>This silo, as outbox markers name it.</summary>
    public string Silo { get; }

    public Outbox Outbox { get; }

    /// <summary>Writes waiting for other regions to apply them.</summary>
    public ReplicationAcknowledgements Acknowledgements { get; }

    /// <summary>
    /// This silo's commits between taking their commit time and being queued to ship: the write path takes commit times
    /// here (<see cref="CommitsInProgress.Begin"/>) and ends them after <see cref="Ship"/>, so safe times stay below them.
    /// </summary>
    public CommitsInProgress Commits { get; }

    /// <summary>This silo's safe time for <paramref name="target"/> (see <see cref="ChangeShipper.SafeTime"/>).</summary>
    public HybridTimestamp? SafeTime(RegionId target) => _shippers.TryGetValue(target, out var shipper) ? shipper.SafeTime() : null;

    // Silos that may still have changes of their own to ship: every member not declared dead, shutting down included,
    // until outbox recovery may adopt what it leaves (see OutboxRecoveryGrain).
    private static string[] LiveSilos(IClusterMembershipService membership) =>
        [.. membership.CurrentSnapshot.Members.Values.Where(m => m.Status != SiloStatus.Dead).Select(m => m.SiloAddress.ToParsableString())];

    /// <summary>Changes queued to ship and not yet taken into a batch, over every target.</summary>
    public int PendingCount => _shippers.Values.Sum(s => s.PendingCount);

    /// <inheritdoc/>
    public OutboxMarker MarkerFor(GeoRecord version) => new(version.Epoch, version.Version, version.CommittedAt, Silo, [.. Targets]);

    /// <summary>
    /// Queues a committed version for every other region. Its outbox marker was written with the commit. An
    /// <paramref name="urgent"/> version (its writer waits for <see cref="Acknowledgements"/>) leaves without waiting for a batch to fill.
    /// </summary>
    public void Ship(GrainId grain, GeoRecord record, bool urgent = false)
    {
        foreach (var shipper in _shippers.Values)
        {
            shipper.Enqueue(grain, record, urgent);
        }
    }

    private void Acknowledged(RegionId target, IReadOnlyList<ReplicatedChange> changes)
    {
        Outbox.Acknowledged(target, changes);
        Acknowledgements.Acknowledged(target, changes);
    }

    // The target has them (or reconciles them as orphans): nothing more to ship, and a writer waiting for one must fail.
    private void Refused(RegionId target, IReadOnlyList<ReplicatedChange> changes)
    {
        Outbox.Acknowledged(target, changes);
        Acknowledgements.Refused(target, changes);
    }

    /// <summary>Takes over a marker left by a silo that is gone, and ships the grain's latest version to the marker's targets.</summary>
    public void Resume(GrainId grain, GeoRecord latest, string markerETag, IEnumerable<RegionId> targets)
    {
        Outbox.Adopt(grain, latest, markerETag);
        foreach (var target in targets)
        {
            if (_shippers.TryGetValue(target, out var shipper))
            {
                shipper.Enqueue(grain, latest);
            }
        }
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(GeoReplication), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var shipper in _shippers.Values)
        {
            _running.Add(Task.Run(() => shipper.RunAsync(_stopping.Token)));
        }

        _running.Add(Task.Run(() => Outbox.RunAsync(_stopping.Token)));
        _running.Add(Task.Run(() => RecoverPeriodicallyAsync(_stopping.Token)));
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_running).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task RecoverPeriodicallyAsync(CancellationToken stopping)
    {
        // Whatever a silo that is gone left in the outbox was acknowledged to a client and not yet to every region: ship it
        // now, and again whenever another silo may have died since.
        using var timer = new PeriodicTimer(_options.OrphanAfter);
        do
        {
            try
            {
                await _grains.GetGrain<IOutboxRecoveryGrain>(0).Recover();
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                _logger.LogWarning("Outbox recovery did not run now, will retry: {Reason}", exception.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stopping).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }
}
