using System.Collections.Concurrent;

namespace GeoGrains.Runtime.Storage;

/// <summary>
/// The replica versions and ETags this silo last wrote or read, so that applying a replicated change usually needs no
/// read first. Bounded: past <see cref="Capacity"/> entries it starts again empty, which only costs reads.
/// </summary>
internal sealed class ReplicaVersions
{
    public const int Capacity = 100_000;

    private ConcurrentDictionary<GrainId, StoredGeoRecord> _known = new();

    // Entries added, counted here: ConcurrentDictionary.Count takes every one of its locks, so asking it on every apply
    // made the receiver's workers wait for each other. Approximate when a reset races an add; that only moves the next reset.
    private int _count;

    public StoredGeoRecord? Get(GrainId grain) => _known.TryGetValue(grain, out var stored) ? stored : null;

    public void Set(GrainId grain, StoredGeoRecord stored)
    {
        var known = _known;
        if (!known.ContainsKey(grain) && known.TryAdd(grain, stored))
        {
            if (Interlocked.Increment(ref _count) > Capacity)
            {
                _known = new ConcurrentDictionary<GrainId, StoredGeoRecord>();
                Interlocked.Exchange(ref _count, 0);
            }

            return;
        }

        known[grain] = stored;
    }

    public void Forget(GrainId grain)
    {
        if (_known.TryRemove(grain, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
