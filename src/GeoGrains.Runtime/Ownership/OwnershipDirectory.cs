using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Topology;
using System.Collections.Immutable;
using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Ownership;

/// <summary>
/// A region's ownership directory over its rows in <see cref="DirectoryStore"/>: the one writer of those rows, and what the
/// region's silos and the other regions read. It holds the partition owners (few: read whole), the overrides it has read
/// or written (bounded; others are read from storage when asked), the current revision and the latest changes, so that
/// "what changed since revision N" costs what changed, and nothing at all when nothing did.
/// </summary>
/// <remarks>
/// Reads may run concurrently with each other and with a write; writes (merges, catching up with another writer) run one
/// at a time. Memory is updated only after a change is durable, in one step under a lock, so a reader sees a revision
/// either entirely or not at all.
/// </remarks>
internal sealed class OwnershipDirectory(DirectoryStore store, int maxCachedOverrides, ILogger logger)
{
    /// <summary>The most revisions one answer covers; a reader further behind is told there is more.</summary>
    public const int MaxRevisionsPerAnswer = 256;

    /// <summary>Overrides per page when a region reads another's overrides after its log cursor was reset.</summary>
    public const int OverridesPerPage = 500;

    /// <summary>The most answers or pages one anti-entropy pull takes from one region; the next round continues.</summary>
    public const int MaxPagesPerPull = 16;

    private const int MaxOverridesPerPage = 1000;
    private const int RecentRevisions = 1024;
    private const int MaxMergeAttempts = 5;
    private const int ParallelReads = 32;

    private readonly object _lock = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Dictionary<string, GrainOwnership?> _overrides = new(StringComparer.Ordinal);
    private readonly Queue<(long Revision, OwnershipTable Changes)> _recent = new();
    private readonly Dictionary<RegionId, PeerCursor> _peers = [];
    private ImmutableDictionary<HomePartition, GrainOwnership> _partitions = ImmutableDictionary<HomePartition, GrainOwnership>.Empty;
    private StoredDirectoryMeta _meta = StoredDirectoryMeta.Empty;
    private long _lastRecent;

    // Changes whenever cached overrides are dropped, so that a read begun before cannot put back an answer older than
    // a change the dropped entries held.
    private long _generation;

    public DirectoryCursor Cursor
    {
        get
        {
            lock (_lock)
            {
                return _meta.Meta.Cursor;
            }
        }
    }

    /// <summary>Reads the meta row and the partition entries: two round trips, whatever the number of overrides.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        var meta = await store.ReadMetaAsync(cancellationToken);
        var partitions = await store.ReadPartitionsAsync(cancellationToken);
        lock (_lock)
        {
            _meta = meta;
            _partitions = partitions;
        }
    }

    /// <inheritdoc cref="IOwnershipDirectoryGrain.GetChanges"/>
    public async Task<DirectoryChanges> GetChangesAsync(DirectoryCursor since, CancellationToken cancellationToken = default)
    {
        if (since.Revision > Cursor.Revision)
        {
            // The reader has seen more than this copy: another activation wrote meanwhile.
            await SyncAsync(cancellationToken);
        }

        DirectoryMeta meta;
        long to;
        lock (_lock)
        {
            meta = _meta.Meta;
            if (since.Revision < 0 || !since.Continues(meta.Incarnation) || since.Revision > meta.Revision || since.Revision + 1 < meta.LogStart)
            {
                return ResetAnswer();
            }

            if (since.Revision == meta.Revision)
            {
                return new DirectoryChanges(meta.Cursor, OwnershipTable.Empty, Reset: false, More: false);
            }

            to = Math.Min(meta.Revision, since.Revision + MaxRevisionsPerAnswer);
            if (_recent.Count > 0 && _recent.Peek().Revision <= since.Revision + 1)
            {
                var recent = OwnershipTable.Combine(_recent.Where(r => r.Revision > since.Revision && r.Revision <= to).Select(r => r.Changes));
                return new DirectoryChanges(new DirectoryCursor(meta.Incarnation, to), recent, Reset: false, More: to < meta.Revision);
            }
        }

        var log = await store.ReadLogAsync(since.Revision + 1, to, cancellationToken);
        if (log.Count != to - since.Revision)
        {
            // Truncated while being read.
            lock (_lock)
            {
                return ResetAnswer();
            }
        }

        return new DirectoryChanges(new DirectoryCursor(meta.Incarnation, to), OwnershipTable.Combine(log.Select(l => l.Changes)), Reset: false, More: to < meta.Revision);
    }

    /// <inheritdoc cref="IOwnershipDirectoryGrain.Lookup"/>
    public async Task<DirectoryLookup> LookupAsync(GrainId grain, CancellationToken cancellationToken = default)
    {
        var key = grain.ToString();
        while (true)
        {
            long generation;
            lock (_lock)
            {
                if (_overrides.TryGetValue(key, out var known))
                {
                    return new DirectoryLookup(known, _meta.Meta.Cursor);
                }

                generation = _generation;
            }

            var stored = await store.ReadGrainAsync(key, cancellationToken);
            lock (_lock)
            {
                if (_generation == generation)
                {
                    // A merge that wrote the grain meanwhile has put it in the cache: that is newer than the read.
                    if (!_overrides.TryGetValue(key, out var known))
                    {
                        Remember(key, stored);
                        known = stored;
                    }

                    return new DirectoryLookup(known, _meta.Meta.Cursor);
                }
            }
        }
    }

    /// <inheritdoc cref="IOwnershipDirectoryGrain.GetOverrides"/>
    public Task<DirectoryPage> GetOverridesAsync(string? after, int max, CancellationToken cancellationToken = default) =>
        store.ReadGrainsAsync(after, Math.Clamp(max, 1, MaxOverridesPerPage), cancellationToken);

    /// <inheritdoc cref="IOwnershipDirectoryGrain.Merge"/>
    public async Task<OwnershipTable> MergeAsync(OwnershipTable changes, CancellationToken cancellationToken = default) =>
        (await MergeCoreAsync(changes, cancellationToken)).Current;

    /// <summary>
    /// Fences <paramref name="grain"/> for the takeover <paramref name="takeover"/> of <paramref name="away"/>'s grains,
    /// decided in <paramref name="configuration"/>, before the new owner writes it: unless the directory holds an override
    /// that resolves elsewhere in that configuration (a move the takeover must respect) or one at least as new as the
    /// fence, it records the override (<paramref name="away"/>, takeover epoch − 1). That entry resolves as the grain did
    /// (through <paramref name="away"/>'s tenure to the takeover's owner, and back when it returns), but outranks every
    /// move decided before the takeover: one still on its way (its answer lost) can no longer give the grain to a region
    /// that would write under a lower epoch than the new owner. Decided and written in one step with respect to merges.
    /// Returns the override held afterwards.
    /// </summary>
    public async Task<GrainOwnership> FenceAsync(
        GrainId grain, HomePartition partition, RegionConfiguration configuration, GrainOwnership takeover, RegionId away, CancellationToken cancellationToken = default)
    {
        var key = grain.ToString();
        var fence = new GrainOwnership(away, takeover.Epoch - 1);
        return await WriteAsync(async ct =>
        {
            var known = (await KnownOverridesAsync([key], ct))[key];
            if (known is not null && (known.Epoch >= fence.Epoch || configuration.Resolve(known, partition) != takeover))
            {
                return known;
            }

            var table = OwnershipTable.Empty with { Grains = OwnershipTable.Empty.Grains.SetItem(key, fence) };
            var (current, _) = await MergeOnceAsync(table, ct);
            return current.Grains.TryGetValue(key, out var held) ? held : fence;
        }, cancellationToken);
    }

    /// <summary>Catches up with changes another writer made (a second activation during a membership change), if any: one point read when none.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken = default)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await SyncCoreAsync(cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// Takes the changes <paramref name="peer"/>'s directory made since the last pull (anti-entropy) and merges them; returns
    /// how many entries changed here. The position in the peer's log is kept in this region's table. When the peer's log
    /// no longer reaches back to it, its partitions come with the reset and its overrides are read page by page, over as
    /// many rounds as needed, before the log is followed again from where the reset left it.
    /// </summary>
    public async Task<int> PullAsync(RegionId peer, IDirectoryPeer source, CancellationToken cancellationToken = default)
    {
        var start = await PeerCursorAsync(peer, cancellationToken);
        var state = start;
        var changed = 0;
        try
        {
            for (var page = 0; page < MaxPagesPerPull; page++)
            {
                if (state.Scanning)
                {
                    var overrides = await source.GetOverrides(state.ScanAfter, OverridesPerPage);
                    changed += (await MergeCoreAsync(overrides.Overrides, cancellationToken)).Changed;
                    state = state with { ScanAfter = overrides.Next };
                    continue;
                }

                var answer = await source.GetChanges(state.Cursor);
                changed += (await MergeCoreAsync(answer.Changes, cancellationToken)).Changed;
                state = new PeerCursor(answer.Cursor, answer.Reset ? string.Empty : null);
                if (!answer.Reset && !answer.More)
                {
                    break;
                }
            }
        }
        finally
        {
            // What was merged is durable: a failure later in the pull must not make the next one take it again.
            if (state != start)
            {
                await SavePeerCursorAsync(peer, state);
            }
        }

        return changed;
    }

    private async Task<(OwnershipTable Current, int Changed)> MergeCoreAsync(OwnershipTable changes, CancellationToken cancellationToken) =>
        changes.Count == 0 ? (OwnershipTable.Empty, 0) : await WriteAsync(ct => MergeOnceAsync(changes, ct), cancellationToken);

    /// <summary>
    /// Runs <paramref name="write"/> (decide from what is stored, then write) as this copy's only writer; when another
    /// writer took the revision meanwhile, catches up with it and decides again.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await write(cancellationToken);
                }
                catch (TableConditionFailedException) when (attempt < MaxMergeAttempts)
                {
                    await SyncCoreAsync(cancellationToken);
                }
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task<(OwnershipTable Current, int Changed)> MergeOnceAsync(OwnershipTable changes, CancellationToken cancellationToken)
    {
        var known = await KnownOverridesAsync(changes.Grains.Keys, cancellationToken);
        var partitionWinners = new List<KeyValuePair<HomePartition, GrainOwnership>>();
        lock (_lock)
        {
            foreach (var (partition, ownership) in changes.Partitions)
            {
                if (!_partitions.TryGetValue(partition, out var mine) || ownership.Epoch > mine.Epoch)
                {
                    partitionWinners.Add(new(partition, ownership));
                }
            }
        }

        var grainWinners = new List<KeyValuePair<string, GrainOwnership>>();
        foreach (var (grain, ownership) in changes.Grains)
        {
            if (known[grain] is not { } mine || ownership.Epoch > mine.Epoch)
            {
                grainWinners.Add(new(grain, ownership));
                known[grain] = ownership;
            }
        }

        foreach (var change in Changes(partitionWinners, grainWinners))
        {
            StoredDirectoryMeta current;
            lock (_lock)
            {
                current = _meta;
            }

            var next = await store.AppendAsync(current, change, cancellationToken);
            lock (_lock)
            {
                Apply(next.Meta.Revision, change);
                _meta = next;
            }
        }

        lock (_lock)
        {
            var partitions = ImmutableDictionary.CreateBuilder<HomePartition, GrainOwnership>();
            foreach (var partition in changes.Partitions.Keys)
            {
                if (_partitions.TryGetValue(partition, out var ownership))
                {
                    partitions[partition] = ownership;
                }
            }

            var grains = ImmutableDictionary.CreateBuilder<string, GrainOwnership>(StringComparer.Ordinal);
            foreach (var (grain, ownership) in known)
            {
                if (ownership is not null)
                {
                    grains[grain] = ownership;
                }
            }

            return (new OwnershipTable(partitions.ToImmutable(), grains.ToImmutable()), partitionWinners.Count + grainWinners.Count);
        }
    }

    /// <summary>Splits the entries to write into changes that each fit one atomic batch.</summary>
    private static IEnumerable<OwnershipTable> Changes(
        List<KeyValuePair<HomePartition, GrainOwnership>> partitions, List<KeyValuePair<string, GrainOwnership>> grains)
    {
        var partitionBuilder = ImmutableDictionary.CreateBuilder<HomePartition, GrainOwnership>();
        var grainBuilder = ImmutableDictionary.CreateBuilder<string, GrainOwnership>(StringComparer.Ordinal);
        foreach (var entry in partitions)
        {
            partitionBuilder.Add(entry);
            if (partitionBuilder.Count == DirectoryStore.MaxEntriesPerChange)
            {
                yield return new OwnershipTable(partitionBuilder.ToImmutable(), grainBuilder.ToImmutable());
                partitionBuilder.Clear();
            }
        }

        foreach (var entry in grains)
        {
            grainBuilder.Add(entry);
            if (partitionBuilder.Count + grainBuilder.Count == DirectoryStore.MaxEntriesPerChange)
            {
                yield return new OwnershipTable(partitionBuilder.ToImmutable(), grainBuilder.ToImmutable());
                partitionBuilder.Clear();
                grainBuilder.Clear();
            }
        }

        if (partitionBuilder.Count + grainBuilder.Count > 0)
        {
            yield return new OwnershipTable(partitionBuilder.ToImmutable(), grainBuilder.ToImmutable());
        }
    }

    /// <summary>The stored overrides of <paramref name="grains"/>: from the cache, or point reads (a few at a time) for the rest.</summary>
    private async Task<Dictionary<string, GrainOwnership?>> KnownOverridesAsync(IEnumerable<string> grains, CancellationToken cancellationToken)
    {
        var known = new Dictionary<string, GrainOwnership?>(StringComparer.Ordinal);
        var missing = new List<string>();
        lock (_lock)
        {
            foreach (var grain in grains)
            {
                if (_overrides.TryGetValue(grain, out var ownership))
                {
                    known[grain] = ownership;
                }
                else
                {
                    missing.Add(grain);
                }
            }
        }

        foreach (var chunk in missing.Chunk(ParallelReads))
        {
            var read = await Task.WhenAll(chunk.Select(grain => store.ReadGrainAsync(grain, cancellationToken)));
            lock (_lock)
            {
                for (var i = 0; i < chunk.Length; i++)
                {
                    known[chunk[i]] = read[i];
                    if (!_overrides.ContainsKey(chunk[i]))
                    {
                        Remember(chunk[i], read[i]);
                    }
                }
            }
        }

        return known;
    }

    private async Task SyncCoreAsync(CancellationToken cancellationToken)
    {
        var stored = await store.ReadMetaAsync(cancellationToken);
        StoredDirectoryMeta mine;
        lock (_lock)
        {
            mine = _meta;
        }

        if (stored.ETag == mine.ETag)
        {
            return;
        }

        var behind = stored.Meta.Revision - mine.Meta.Revision;
        if (behind is >= 0 and <= RecentRevisions && mine.Meta.Cursor.Continues(stored.Meta.Incarnation) && mine.Meta.Revision + 1 >= stored.Meta.LogStart)
        {
            var log = await store.ReadLogAsync(mine.Meta.Revision + 1, stored.Meta.Revision, cancellationToken);
            if (log.Count == behind)
            {
                lock (_lock)
                {
                    foreach (var (revision, changes) in log)
                    {
                        Apply(revision, changes);
                    }

                    _meta = stored;
                }

                logger.LogInformation("Ownership directory of {Region} caught up {Count} revisions written by another activation (now at {Cursor}).", store.Region, behind, stored.Meta.Cursor);
                return;
            }
        }

        // Too far behind, or the storage started over: start again from what is stored.
        var partitions = await store.ReadPartitionsAsync(cancellationToken);
        lock (_lock)
        {
            DropOverrides();
            _recent.Clear();
            _partitions = partitions;
            _meta = stored;
        }

        logger.LogWarning("Ownership directory of {Region} reloaded from storage: it was at {Mine}, storage at {Stored}.", store.Region, mine.Meta.Cursor, stored.Meta.Cursor);
    }

    private async Task<PeerCursor> PeerCursorAsync(RegionId peer, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_peers.TryGetValue(peer, out var cursor))
            {
                return cursor;
            }
        }

        var stored = await store.ReadPeerCursorAsync(peer, cancellationToken) ?? PeerCursor.Initial;
        lock (_lock)
        {
            return _peers.TryAdd(peer, stored) ? stored : _peers[peer];
        }
    }

    private async Task SavePeerCursorAsync(RegionId peer, PeerCursor cursor)
    {
        lock (_lock)
        {
            _peers[peer] = cursor;
        }

        if (!cursor.Scanning && cursor.Cursor.Revision <= 0)
        {
            return; // the peer's directory is empty: nothing worth a row
        }

        try
        {
            await store.WritePeerCursorAsync(peer, cursor);
        }
        catch (RegionStorageException exception)
        {
            // A restart then pulls again from the last stored cursor; merging is idempotent.
            logger.LogWarning("Saving the directory's position in {Peer}'s log failed: {Reason}", peer, exception.Message);
        }
    }

    private DirectoryChanges ResetAnswer() =>
        new(_meta.Meta.Cursor, new OwnershipTable(_partitions, ImmutableDictionary<string, GrainOwnership>.Empty), Reset: true, More: false);

    // Under the lock: a durable revision becomes visible.
    private void Apply(long revision, OwnershipTable changes)
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
            if (!_overrides.TryGetValue(grain, out var mine) || mine is null || ownership.Epoch > mine.Epoch)
            {
                Remember(grain, ownership);
            }
        }

        if (_recent.Count > 0 && _lastRecent != revision - 1)
        {
            _recent.Clear();
        }

        _recent.Enqueue((revision, changes));
        _lastRecent = revision;
        while (_recent.Count > RecentRevisions)
        {
            _recent.Dequeue();
        }
    }

    // Under the lock.
    private void Remember(string grain, GrainOwnership? ownership)
    {
        if (_overrides.Count >= maxCachedOverrides && !_overrides.ContainsKey(grain))
        {
            DropOverrides();
        }

        _overrides[grain] = ownership;
    }

    private void DropOverrides()
    {
        _overrides.Clear();
        _generation++;
    }
}
