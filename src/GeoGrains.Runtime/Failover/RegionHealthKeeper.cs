using GeoGrains.Configuration;
using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Serialization;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// Runs on every silo. Every probe interval it asks every other region to confirm the silo's lease
/// (<see cref="SiloLeaseProber"/>), and takes the region health observer's status (<see cref="FailoverState"/>): that
/// keeps the silo's configuration and the region's own vote current, keeps the observer running from silo start and,
/// when the silo that ran it dies, runs it again on another silo of the region (probes from other regions would revive it
/// too, but not in a region cut off from them). While the observer does not answer, the silo reads the region's vote and
/// the learned configuration from the acceptor's durable row instead. One local call and one request per other region per
/// silo and interval; the storage read only while the observer is gone.
/// </summary>
internal sealed class RegionHealthKeeper(
    FailoverState failover,
    SiloLeaseProber prober,
    IRegionTable table,
    Serializer serializer,
    TimeProvider time,
    IOptions<RegionHealthOptions> options,
    ILogger<RegionHealthKeeper> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RegionHealthKeeper), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        // Two loops: a status call waiting for an observer that is gone must not delay the lease requests.
        _running = Task.WhenAll(
            Task.Run(() => ConfirmLeaseAsync(_stopping.Token)),
            Task.Run(() => KeepAsync(_stopping.Token)));
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _running.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task ConfirmLeaseAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.Value.ProbeInterval, time);
        do
        {
            prober.ProbeAll();
        }
        while (await Tick(timer, stopping));
    }

    private async Task KeepAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.Value.ProbeInterval, time);
        do
        {
            try
            {
                await failover.RefreshAsync();
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                logger.LogWarning("The region health observer did not answer, will call again: {Reason}", exception.Message);
                await ReadStoredAsync(stopping);
            }
        }
        while (await Tick(timer, stopping));
    }

    private async Task ReadStoredAsync(CancellationToken stopping)
    {
        if (!failover.Automatic)
        {
            return;
        }

        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            bounded.CancelAfter(failover.LeaseWait);
            var askedAt = time.GetTimestamp();
            if (await OwnershipAcceptor.ReadAsync(table, serializer, bounded.Token) is { } stored)
            {
                failover.ApplyStored(stored, askedAt);
            }
        }
        catch (Exception exception) when (!stopping.IsCancellationRequested)
        {
            logger.LogDebug("Could not read the region's acceptor row either: {Reason}", exception.Message);
        }
    }

    private static Task<bool> Tick(PeriodicTimer timer, CancellationToken stopping) =>
        timer.WaitForNextTickAsync(stopping).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default);
}
