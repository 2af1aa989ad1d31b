using System.Collections.Immutable;

namespace GeoGrains.Runtime.Calls;

/// <summary>
/// What a session has seen: for each region, the latest commit time of a version committed there that the session
/// read or wrote. A replica that has applied every change of each region up to that time (or holds a version of the
/// grain at least that recent) can serve the session without going back in time.
/// </summary>
internal sealed record SessionVector(ImmutableSortedDictionary<RegionId, HybridTimestamp> Seen)
{
    public static SessionVector Empty { get; } = new(ImmutableSortedDictionary.Create<RegionId, HybridTimestamp>(Comparer<RegionId>.Create((a, b) => string.CompareOrdinal(a.Value, b.Value))));

    /// <summary>The vector after seeing a version committed in <paramref name="region"/> at <paramref name="committedAt"/>.</summary>
    public SessionVector Observe(RegionId region, HybridTimestamp committedAt) =>
        Seen.TryGetValue(region, out var seen) && seen >= committedAt ? this : new(Seen.SetItem(region, committedAt));
}
