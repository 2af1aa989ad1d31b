using GeoGrains.Configuration;
using GeoGrains.Runtime.Topology;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using GeoGrains.Runtime.Failover;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Ownership;

/// <summary>
/// The silo's copy of the region's directory, so that routing a call costs no directory call: every partition owner, and
/// the overrides of the grains this silo has asked about (asked once, the answer kept, a miss included) or heard change.
/// Refreshed every second with the changes since its revision, and at once when a forwarded call names a newer epoch
/// than the copy knows; a refresh costs what changed since the last one.
/// </summary>
internal sealed class OwnershipCache : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);
    private const int MaxLookupAttempts = 3;

    private readonly Func<IOwnershipDirectoryGrain> _directory;
    private readonly FailoverState? _failover;
    private readonly int _maxCachedOverrides;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();

    // A null value: the directory said the grain has no override.
    private readonly ConcurrentDictionary<string, GrainOwnership?> _overrides = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<GrainOwnership?>> _lookups = new(StringComparer.Ordinal);
    private ImmutableDictionary<HomePartition, GrainOwnership> _partitions = ImmutableDictionary<HomePartition, GrainOwnership>.Empty;
    private DirectoryCursor _cursor = DirectoryCursor.None;

    // The revision from which this copy holds every override change it was sent: a lookup answered before it may be stale.
    private long _floor;
    private long _refreshesStarted;
    private Task? _loaded;

    public OwnershipCache(IGrainFactory grains, IOptions<OwnershipDirectoryOptions> options, FailoverState failover, ILogger<OwnershipCache> logger)
        : this(() => grains.GetGrain<IOwnershipDirectoryGrain>(0), options.Value.MaxCachedOverrides, logger, failover)
    {
    }

    internal OwnershipCache(Func<IOwnershipDirectoryGrain> directory, int maxCachedOverrides, ILogger logger, FailoverState? failover = null)
    {
        _directory = directory;
        _failover = failover;
        _maxCachedOverrides = maxCachedOverrides;
        _logger = logger;
    }

    /// <summary>Where this copy is in the directory's log.</summary>
    public DirectoryCursor Cursor
    {
        get
        {
            lock (_lock)
            {
                return _cursor;
            }
        }
    }

    /// <summary>The number of grain overrides (and known misses) held.</summary>
    public int CachedOverrides => _overrides.Count;

    /// <summary>
    /// Who owns <paramref name="grain"/>: from the copy, after asking the directory once about a grain not asked about
    /// before, then following the regions' agreed takeovers (<see cref="RegionConfiguration.Resolve"/>); refreshed first
    /// when the answer is older than <paramref name="atLeastEpoch"/>.
    /// </summary>
    public async ValueTask<GrainOwnership> ResolveAsync(GrainId grain, HomePartition partition, long atLeastEpoch = 0)
    {
        if (_loaded is not { IsCompletedSuccessfully: true })
        {
            await EnsureLoaded();
        }

        var key = grain.ToString();
        var ownership = Agreed(_overrides.TryGetValue(key, out var known) ? known ?? PartitionOwner(partition) : await LookupAsync(grain, key, partition), partition);
        if (ownership.Epoch < atLeastEpoch)
        {
            await RefreshAsync(coalesce: true);
            if (_failover is not null && _failover.Configuration.Generation < RegionConfiguration.GenerationOf(atLeastEpoch))
            {
                await _failover.RefreshAsync();
            }

            ownership = Agreed(_overrides.TryGetValue(key, out known) ? known ?? PartitionOwner(partition) : await LookupAsync(grain, key, partition), partition);
        }

        return ownership;
    }

    private GrainOwnership Agreed(GrainOwnership directory, HomePartition partition) =>
        _failover is null ? directory : _failover.Configuration.Resolve(directory, partition);

    /// <summary>Takes <paramref name="changes"/> at once (higher epochs win), without asking the directory: fences this silo during a move.</summary>
    public void Merge(OwnershipTable changes)
    {
        lock (_lock)
        {
            ApplyChanges(changes);
        }
    }

    /// <summary>
    /// Takes the directory's changes since this copy's revision (one directory call when nothing changed, answered from the
    /// directory's memory) and returns the number of changed entries it took. The first refresh loads the partition owners; a copy
    /// whose revision fell out of the directory's log forgets its overrides and asks again as grains are resolved.
    /// </summary>
    public Task<int> RefreshAsync() => RefreshAsync(coalesce: false);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(OwnershipCache), ServiceLifecycleStage.Active, started =>
        {
            _ = Task.Run(() => RefreshPeriodicallyAsync(_stopping.Token));
            return Task.CompletedTask;
        }, stopped => _stopping.CancelAsync());

    /// <param name="coalesce">Whether a refresh that started after this call was made may stand in for it.</param>
    private async Task<int> RefreshAsync(bool coalesce)
    {
        var started = Interlocked.Read(ref _refreshesStarted);
        await _refreshing.WaitAsync();
        try
        {
            if (coalesce && Interlocked.Read(ref _refreshesStarted) > started)
            {
                return 0;
            }

            Interlocked.Increment(ref _refreshesStarted);
            var applied = 0;
            while (true)
            {
                var answer = await _directory().GetChanges(Cursor);
                lock (_lock)
                {
                    var previous = _cursor;

                    // First, so that overrides dropped while applying (the copy full) count as known up to here.
                    _cursor = answer.Cursor;
                    if (answer.Reset)
                    {
                        if (previous != DirectoryCursor.None)
                        {
                            _logger.LogInformation("The ownership directory's log no longer reaches back to this silo's copy ({Cursor}); it starts over at {Now}.", previous, answer.Cursor);
                        }

                        _overrides.Clear();
                        _partitions = answer.Changes.Partitions;
                        _floor = answer.Cursor.Revision;
                    }
                    else
                    {
                        ApplyChanges(answer.Changes);
                    }
                }

                applied += answer.Changes.Count;
                if (!answer.More)
                {
                    return applied;
                }
            }
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private GrainOwnership PartitionOwner(HomePartition partition) =>
        Volatile.Read(ref _partitions).TryGetValue(partition, out var owner) ? owner : new GrainOwnership(partition.Home, OwnershipTable.InitialEpoch);

    private async Task<GrainOwnership> LookupAsync(GrainId grain, string key, HomePartition partition)
    {
        Task<GrainOwnership?> lookup;
        lock (_lock)
        {
            // A lookup that finished since this caller looked is remembered: no need to ask again.
            if (_overrides.TryGetValue(key, out var answered))
            {
                return answered ?? PartitionOwner(partition);
            }

            // Callers resolving the same grain at once share one directory call.
            if (!_lookups.TryGetValue(key, out lookup!))
            {
                lookup = LookupCoreAsync(grain, key);
                _lookups[key] = lookup;
            }
        }

        return await lookup ?? PartitionOwner(partition);
    }

    private async Task<GrainOwnership?> LookupCoreAsync(GrainId grain, string key)
    {
        await Task.Yield(); // out of the caller's lock
        try
        {
            DirectoryLookup answer = null!;
            for (var attempt = 1; attempt <= MaxLookupAttempts; attempt++)
            {
                answer = await _directory().Lookup(grain);
                lock (_lock)
                {
                    // An answer from before this copy last dropped overrides may miss a change it dropped: ask again.
                    if (answer.At.Revision >= _floor && (answer.At.Incarnation == _cursor.Incarnation || _cursor.Revision == 0))
                    {
                        return Remember(key, answer.Ownership);
                    }
                }

                await RefreshAsync(coalesce: true);
            }

            return answer.Ownership;
        }
        finally
        {
            lock (_lock)
            {
                _lookups.Remove(key);
            }
        }
    }

    // Under the lock. Changes sent by the directory are kept whether or not the grain was asked about, so that a lookup
    // answered before a change and received after it cannot undo it: higher epochs win.
    private void ApplyChanges(OwnershipTable changes)
    {
        foreach (var (partition, ownership) in changes.Partitions)
        {
            if (!_partitions.TryGetValue(partition, out var mine) || ownership.Epoch > mine.Epoch)
            {
                _partitions = _partitions.SetItem(partition, ownership);
            }
        }

        foreach (var (grain, ownership) in changes.Grains)
        {
            Remember(grain, ownership);
        }
    }

    // Under the lock: keeps the newer of what is held and what is offered; returns what is held then.
    private GrainOwnership? Remember(string grain, GrainOwnership? ownership)
    {
        if (_overrides.TryGetValue(grain, out var mine))
        {
            if (ownership is null || (mine is not null && mine.Epoch >= ownership.Epoch))
            {
                return mine;
            }
        }
        else if (_overrides.Count >= _maxCachedOverrides)
        {
            // Full: start over. Every lookup answered from now on knows everything dropped.
            _overrides.Clear();
            _floor = _cursor.Revision;
        }

        _overrides[grain] = ownership;
        return ownership;
    }

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
                await RefreshAsync(coalesce: false);
            }
            catch (Exception exception)
            {
                _logger.LogWarning(exception, "Refreshing the ownership directory failed; routing uses the last copy.");
            }
        }
    }
}
