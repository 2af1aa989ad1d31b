using System.Collections.Concurrent;

namespace GeoGrains.Client.Routing;

/// <summary>
/// Where grains are owned, as responses told the client (<see cref="GeoCallInfo.Owner"/>), for direct home routing.
/// Bounded: a client that touches many grains forgets the oldest half rather than growing without end.
/// </summary>
internal sealed class OwnerCache(int capacity = 100_000)
{
    private readonly ConcurrentDictionary<string, (RegionId Owner, long Seen)> _owners = new();
    private long _clock;

    public RegionId? OwnerOf(string grain) => _owners.TryGetValue(grain, out var entry) ? entry.Owner : (RegionId?)null;

    public void Learn(string grain, RegionId owner)
    {
        _owners[grain] = (owner, Interlocked.Increment(ref _clock));
        if (_owners.Count > capacity)
        {
            var cutoff = Volatile.Read(ref _clock) - capacity / 2;
            foreach (var (key, entry) in _owners)
            {
                if (entry.Seen < cutoff)
                {
                    _owners.TryRemove(key, out _);
                }
            }
        }
    }

    public int Count => _owners.Count;
}
