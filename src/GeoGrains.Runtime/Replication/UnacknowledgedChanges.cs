using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// The commit times one shipper owes its target: every version queued that the target has not acknowledged, including
/// versions that were replaced in the queue by a newer one before they left (the target has them only once that newer
/// one is applied). <see cref="Oldest"/> bounds the shipper's safe time.
/// </summary>
/// <remarks>
/// Per grain, versions are kept as runs: a run starts with the first version queued after the previous run left in a
/// batch, keeps that version's commit time, and grows to the newest version that joins it in the queue. An
/// acknowledgement of version v settles every run whose newest version is v or older; runs per grain are few (at most
/// one per batch in flight plus the one queued), so memory follows what is unacknowledged, not what was written.
/// </remarks>
internal sealed class UnacknowledgedChanges
{
    private readonly object _lock = new();
    private readonly Dictionary<GrainId, List<Run>> _runs = [];
    private readonly SortedSet<(HybridTimestamp Since, long Id)> _all = [];
    private long _lastId;

    /// <summary>The commit time of the oldest version not acknowledged, if any.</summary>
    public HybridTimestamp? Oldest
    {
        get { lock (_lock) return _all.Count == 0 ? null : _all.Min.Since; }
    }

    /// <summary>Grains with a version not acknowledged.</summary>
    public int Count
    {
        get { lock (_lock) return _runs.Count; }
    }

    /// <summary>The newest version of <paramref name="grain"/> queued and not acknowledged yet, if any.</summary>
    public GeoRecord? Newest(GrainId grain)
    {
        lock (_lock)
        {
            return _runs.TryGetValue(grain, out var runs) && runs.Count > 0 ? runs[^1].Newest : null;
        }
    }

    /// <summary>A version was queued to ship.</summary>
    public void Queued(GrainId grain, GeoRecord record)
    {
        lock (_lock)
        {
            if (!_runs.TryGetValue(grain, out var runs))
            {
                runs = [];
                _runs[grain] = runs;
            }

            if (runs.Count > 0)
            {
                var last = runs[^1];
                if (last.Queued)
                {
                    if (record.IsNewerThan(last.Newest))
                    {
                        last.Newest = record;
                    }

                    return;
                }

                if (!record.IsNewerThan(last.Newest))
                {
                    // A failed batch's version queued again: the run it left with still owes it.
                    return;
                }
            }

            var run = new Run(record.CommittedAt, ++_lastId) { Newest = record, Queued = true };
            runs.Add(run);
            _all.Add((run.Since, run.Id));
        }
    }

    /// <summary>The grain's queued version left in a batch: a version queued from now on starts a new run.</summary>
    public void Taken(GrainId grain)
    {
        lock (_lock)
        {
            if (_runs.TryGetValue(grain, out var runs) && runs.Count > 0)
            {
                runs[^1].Queued = false;
            }
        }
    }

    /// <summary>
    /// The target applied <paramref name="record"/> (or has something newer): every version up to it is settled. Returns
    /// whether that settled anything (not when an earlier acknowledgement already covered it).
    /// </summary>
    public bool Acknowledged(GrainId grain, GeoRecord record)
    {
        lock (_lock)
        {
            if (!_runs.TryGetValue(grain, out var runs))
            {
                return false;
            }

            var settled = 0;
            while (settled < runs.Count && !runs[settled].Newest.IsNewerThan(record))
            {
                _all.Remove((runs[settled].Since, runs[settled].Id));
                settled++;
            }

            runs.RemoveRange(0, settled);
            if (runs.Count == 0)
            {
                _runs.Remove(grain);
            }

            return settled > 0;
        }
    }

    private sealed class Run(HybridTimestamp since, long id)
    {
        public HybridTimestamp Since { get; } = since;

        public long Id { get; } = id;

        public required GeoRecord Newest { get; set; }

        public bool Queued { get; set; }
    }
}
