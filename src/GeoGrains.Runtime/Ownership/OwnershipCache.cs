using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Ownership;

/// <summary>
/// The silo's copy of the region's directory, so that routing a call costs no directory call. Loaded before the first
/// resolution, refreshed every second, and at once when a forwarded call names a newer epoch than the copy knows.
/// </summary>
internal sealed class OwnershipCache(IGrainFactory grains, ILogger<OwnershipCache> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly object _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private OwnershipTable _table = OwnershipTable.Empty;
    private Task? _loaded;

    public async ValueTask<GrainOwnership> ResolveAsync(GrainId grain, HomePartition partition, long atLeastEpoch = 0)
    {
        await EnsureLoaded();
        var ownership = Volatile.Read(ref _table).Resolve(grain, partition);
        if (ownership.Epoch < atLeastEpoch)
        {
            await RefreshAsync();
            ownership = Volatile.Read(ref _table).Resolve(grain, partition);
        }

        return ownership;
    }

    public void Merge(OwnershipTable changes)
    {
        lock (_lock)
        {
            _table = _table.Merge(changes);
        }
    }

    public async Task RefreshAsync() => Merge(await grains.GetGrain<IOwnershipDirectoryGrain>(0).GetTable());

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(OwnershipCache), ServiceLifecycleStage.Active, started =>
        {
            _ = Task.Run(() => RefreshPeriodicallyAsync(_stopping.Token));
            return Task.CompletedTask;
        }, stopped => _stopping.CancelAsync());

    private Task EnsureLoaded()
    {
        lock (_lock)
        {
            // A failed first load (the directory not reachable yet) is tried again by the next caller.
            if (_loaded is null || _loaded.IsFaulted || _loaded.IsCanceled)
            {
                _loaded = RefreshAsync();
            }

            return _loaded;
        }
    }

    private async Task RefreshPeriodicallyAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(RefreshInterval);
        while (await timer.WaitForNextTickAsync(stopping).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
        {
            try
            {
                await RefreshAsync();
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Refreshing the ownership directory failed; routing uses the last copy.");
            }
        }
    }
}
