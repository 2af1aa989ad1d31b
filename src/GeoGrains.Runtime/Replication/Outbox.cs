using GeoGrains.Configuration;
using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// This silo's side of the durable outbox: which outbox markers it wrote, which versions they announce, and what each
/// target region has acknowledged. A grain written again while its marker is still there commits with one row (the
/// marker already announces it); a marker is deleted only once every target acknowledged the grain's latest version and
/// the grain has been quiet for <see cref="ReplicationOptions.MarkerLinger"/>, conditional on the ETag this silo wrote,
/// so a marker a newer commit rewrote always stays.
/// </summary>
/// <remarks>
/// Knowledge of a marker is tied to the activation that wrote it (its token): a new activation of the grain, here or on
/// another silo, knows nothing and writes the marker again, so a record is never committed unannounced.
/// </remarks>
internal sealed class Outbox(
    GeoStore store,
    IReadOnlyList<RegionId> targets,
    ReplicationOptions options,
    TimeProvider time,
    Action<GrainId, GeoRecord, string, IEnumerable<RegionId>> resume,
    ILogger logger)
{
    private readonly object _lock = new();
    private readonly Dictionary<GrainId, Entry> _entries = [];

    // Grains whose last commit here failed without an answer from storage: it may have been stored, marker and all. With
    // each, what to do once that is settled (the commit stays "in progress" for safe times until then).
    private readonly Dictionary<GrainId, List<Action>> _inDoubt = [];

    /// <summary>
    /// A commit of <paramref name="grain"/> failed without a clear answer (the storage was unreachable): the version and
    /// its marker may be stored. The next settle round looks, and ships it if they are; then it calls
    /// <paramref name="settled"/> (after queueing it to ship, if it was stored).
    /// </summary>
    public void Doubt(GrainId grain, Action settled)
    {
        lock (_lock)
        {
            if (!_inDoubt.TryGetValue(grain, out var waiting))
            {
                waiting = [];
                _inDoubt[grain] = waiting;
            }

            waiting.Add(settled);
        }
    }

    /// <summary>Markers this silo is responsible for and has not deleted yet.</summary>
    public int Count
    {
        get { lock (_lock) return _entries.Count; }
    }

    /// <summary>Grains whose latest version committed here some target has not acknowledged yet.</summary>
    public int Unacknowledged
    {
        get
        {
            lock (_lock)
            {
                return _entries.Values.Count(e => e.Latest is { } latest && targets.Any(t => latest.IsNewerThan(e.Acknowledged.GetValueOrDefault(t))));
            }
        }
    }

    /// <summary>
    /// Whether the commit about to be made by <paramref name="token"/> can rely on the marker it wrote before. If so, the
    /// marker cannot be deleted until <see cref="EndCommit"/>.
    /// </summary>
    public bool BeginCommit(GrainId grain, object token)
    {
        if (targets.Count == 0)
        {
            return true;
        }

        lock (_lock)
        {
            if (_entries.TryGetValue(grain, out var entry) && ReferenceEquals(entry.Token, token) && entry.MarkerETag is not null && !entry.Deleting)
            {
                entry.InUse++;
                return true;
            }

            return false;
        }
    }

    /// <summary>
    /// Records the outcome of a commit begun with <see cref="BeginCommit"/>: the version stored (<see langword="null"/>
    /// when the commit failed) and the ETag of the marker it wrote, if it wrote one.
    /// </summary>
    public void EndCommit(GrainId grain, object token, bool usedMarker, GeoRecord? committed, string? markerETag)
    {
        if (targets.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            _entries.TryGetValue(grain, out var entry);
            if (usedMarker && entry is not null)
            {
                entry.InUse--;
            }

            if (committed is null)
            {
                return;
            }

            if (markerETag is not null)
            {
                if (entry is null || !ReferenceEquals(entry.Token, token))
                {
                    entry = new Entry(token);
                    _entries[grain] = entry;
                }

                entry.MarkerETag = markerETag;
                entry.Deleting = false;
            }

            if (entry is not null && committed.IsNewerThan(entry.Latest))
            {
                entry.Latest = committed;
                entry.LastChange = time.GetTimestamp();
            }
        }
    }

    /// <summary>Takes responsibility for a marker left by a silo that is gone (see <see cref="OutboxRecoveryGrain"/>).</summary>
    public void Adopt(GrainId grain, GeoRecord latest, string markerETag)
    {
        lock (_lock)
        {
            if (_entries.ContainsKey(grain))
            {
                // This silo tracks the grain already (it wrote a newer marker): that one decides.
                return;
            }

            _entries[grain] = new Entry(this) { MarkerETag = markerETag, Latest = latest, LastChange = time.GetTimestamp() };
        }
    }

    /// <summary>A target acknowledged these versions.</summary>
    public void Acknowledged(RegionId target, IEnumerable<ReplicatedChange> changes)
    {
        lock (_lock)
        {
            foreach (var change in changes)
            {
                if (_entries.TryGetValue(change.Grain, out var entry) && change.Record.IsNewerThan(entry.Acknowledged.GetValueOrDefault(target)))
                {
                    entry.Acknowledged[target] = change.Record;
                }
            }
        }
    }

    /// <summary>
    /// The latest version of <paramref name="grain"/> committed here that <paramref name="target"/> acknowledged, while this
    /// silo keeps the grain's marker (what a delta can be taken against); else <see langword="null"/>.
    /// </summary>
    public GeoRecord? AcknowledgedVersion(GrainId grain, RegionId target)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(grain, out var entry) ? entry.Acknowledged.GetValueOrDefault(target) : null;
        }
    }

    /// <summary>Deletes the markers every target has acknowledged, until <paramref name="stopping"/>.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var interval = options.MarkerLinger > TimeSpan.Zero ? options.MarkerLinger / 2 : TimeSpan.FromMilliseconds(50);
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                await SettleAsync(stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: markers not deleted stay, and only cost a duplicate shipment after a restart.
        }
    }

    /// <summary>Deletes the markers that can go now. Returns how many were deleted.</summary>
    public async Task<int> SettleAsync(CancellationToken cancellationToken = default)
    {
        await ResolveDoubtsAsync(cancellationToken);
        var settled = new List<(GrainId Grain, string ETag)>();
        lock (_lock)
        {
            var now = time.GetTimestamp();
            foreach (var (grain, entry) in _entries)
            {
                if (!entry.Deleting && entry.InUse == 0 && entry.MarkerETag is { } etag && entry.Latest is { } latest
                    && time.GetElapsedTime(entry.LastChange, now) >= options.MarkerLinger
                    && targets.All(t => !latest.IsNewerThan(entry.Acknowledged.GetValueOrDefault(t))))
                {
                    entry.Deleting = true;
                    settled.Add((grain, etag));
                }
            }
        }

        if (settled.Count == 0)
        {
            return 0;
        }

        try
        {
            var deleted = await store.DeleteMarkersAsync(settled, cancellationToken);
            lock (_lock)
            {
                foreach (var (grain, etag) in settled)
                {
                    // A commit that rewrote the marker meanwhile keeps the entry (with its new ETag) alive.
                    if (_entries.TryGetValue(grain, out var entry) && entry.Deleting && entry.MarkerETag == etag)
                    {
                        _entries.Remove(grain);
                    }
                }
            }

            return deleted;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning("Outbox markers of region {Region} could not be deleted now, will retry: {Reason}", store.Region, exception.Message);
            lock (_lock)
            {
                foreach (var (grain, etag) in settled)
                {
                    if (_entries.TryGetValue(grain, out var entry) && entry.MarkerETag == etag)
                    {
                        entry.Deleting = false;
                    }
                }
            }

            return 0;
        }
    }

    private async Task ResolveDoubtsAsync(CancellationToken cancellationToken)
    {
        (GrainId Grain, Action[] Settled)[] doubtful;
        lock (_lock)
        {
            doubtful = [.. _inDoubt.Select(d => (d.Key, d.Value.ToArray()))];
        }

        foreach (var (grain, settled) in doubtful)
        {
            try
            {
                if (await store.ReadMarkerAsync(grain, cancellationToken) is { } marker && await store.ReadAsync(grain, cancellationToken) is { } latest)
                {
                    resume(grain, latest.Record, marker.ETag, marker.Marker.Targets);
                }

                lock (_lock)
                {
                    // A commit that fell into doubt while this one was looked at stays for the next round.
                    var waiting = _inDoubt[grain];
                    waiting.RemoveAll(settled.Contains);
                    if (waiting.Count == 0)
                    {
                        _inDoubt.Remove(grain);
                    }
                }

                foreach (var done in settled)
                {
                    done();
                }
            }
            catch (RegionStorageException)
            {
                // Still unreachable: look again next round.
            }
        }
    }

    private sealed class Entry(object token)
    {
        public object Token { get; } = token;

        public string? MarkerETag { get; set; }

        public GeoRecord? Latest { get; set; }

        public long LastChange { get; set; }

        public int InUse { get; set; }

        public bool Deleting { get; set; }

        public Dictionary<RegionId, GeoRecord> Acknowledged { get; } = [];
    }
}
