using System.Collections.Frozen;
using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Hosting;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// The silo's side of the replication stream: one <see cref="ChangeShipper"/> per other region, fed by commits, and at
/// start (and periodically, for silos that died) from the durable outbox.
/// </summary>
internal sealed class GeoReplication : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly GeoStore _store;
    private readonly ReplicationOptions _options;
    private readonly HybridLogicalClock _clock;
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
        HybridLogicalClock clock,
        IOptions<GeoGrainsOptions> options,
        ILogger<GeoReplication> logger)
    {
        _store = store;
        _options = options.Value.Replication;
        _clock = clock;
        _logger = logger;
        _shippers = topology.RegionIds
            .Where(r => r != region.Id)
            .ToFrozenDictionary(r => r, r => new ChangeShipper(region.Id, r, links, store, codec, metrics, _options, logger));
        Targets = [.. _shippers.Keys];
    }

    public IReadOnlyList<RegionId> Targets { get; }

    /// <summary>Queues a committed version for every other region. Its outbox entries were written before the commit.</summary>
    public void Ship(GrainId grain, GeoRecord record)
    {
        foreach (var shipper in _shippers.Values)
        {
            shipper.Enqueue(grain, record);
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

        // Whatever the outbox holds was acknowledged to a client and not yet to every region: ship it now.
        ResumeFromOutbox(olderThan: null);
        _running.Add(Task.Run(() => SweepOrphansAsync(_stopping.Token)));
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_running).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task SweepOrphansAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_options.OrphanAfter);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                // Entries this old were left by a silo that died (live silos ship within a round trip); any silo may ship them.
                ResumeFromOutbox(olderThan: _options.OrphanAfter);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void ResumeFromOutbox(TimeSpan? olderThan)
    {
        var now = _clock.Now().PhysicalMilliseconds;
        var resumed = 0;
        foreach (var (target, shipper) in _shippers)
        {
            foreach (var (grain, entry) in _store.Outbox(target))
            {
                if (olderThan is { } age && now - entry.CommittedAt.PhysicalMilliseconds < age.TotalMilliseconds)
                {
                    continue;
                }

                // Ship the latest stored version: it supersedes the one the entry names.
                if (_store.Read(grain) is { } record)
                {
                    shipper.Enqueue(grain, record);
                    resumed++;
                }
            }
        }

        if (resumed > 0)
        {
            _logger.LogInformation("Region {Region}: resumed {Count} unacknowledged changes from the outbox.", _store.Region, resumed);
        }
    }
}
