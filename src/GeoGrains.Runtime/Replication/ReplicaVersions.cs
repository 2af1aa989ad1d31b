using System.Collections.Concurrent;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// The replica versions and ETags this silo last wrote or read, so that applying a replicated change usually needs no
/// read first. Bounded: past <see cref="Capacity"/> entries it starts again empty, which only costs reads.
/// </summary>
internal sealed class ReplicaVersions
{
    public const int Capacity = 100_000;

    private ConcurrentDictionary<GrainId, StoredGeoRecord> _known = new();

    public StoredGeoRecord? Get(GrainId grain) => _known.TryGetValue(grain, out var stored) ? stored : null;

    public void Set(GrainId grain, StoredGeoRecord stored)
    {
        if (_known.Count >= Capacity)
        {
            _known = new ConcurrentDictionary<GrainId, StoredGeoRecord>();
        }

        _known[grain] = stored;
    }

    public void Forget(GrainId grain) => _known.TryRemove(grain, out _);
}
