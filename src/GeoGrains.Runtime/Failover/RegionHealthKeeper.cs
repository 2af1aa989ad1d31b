using GeoGrains.Runtime.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// Runs on every silo and takes the region health observer's status every probe interval (<see cref="FailoverState"/>):
/// that keeps the silo's lease and configuration current, keeps the observer running from silo start and, when the silo
/// that ran it dies, runs it again on another silo of the region (probes from other regions would revive it too, but not
/// in a region cut off from them). One local call per silo and interval.
/// </summary>
internal sealed class RegionHealthKeeper(FailoverState failover, IOptions<GeoGrainsOptions> options, ILogger<RegionHealthKeeper> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RegionHealthKeeper), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _running = Task.Run(() => KeepAsync(_stopping.Token));
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _running.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task KeepAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.Value.Health.ProbeInterval);
        do
        {
            try
            {
                await failover.RefreshAsync();
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                logger.LogWarning("The region health observer did not answer, will call again: {Reason}", exception.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stopping).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }
}
