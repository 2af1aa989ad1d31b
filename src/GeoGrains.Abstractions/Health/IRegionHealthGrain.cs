using Orleans.Concurrency;

namespace GeoGrains;

/// <summary>
/// The region's health observer: one per region (use key 0 in the region's cluster), it probes every other region and
/// decides, with the others' suspicions, which regions a majority of all regions holds down.
/// </summary>
public interface IRegionHealthGrain : IGrainWithIntegerKey
{
    /// <summary>The observer's current view: suspected and declared-down regions, with times.</summary>
    [ReadOnly]
    Task<RegionHealthView> GetView();

    /// <summary>The observer's most recent changes (at most the last 256), oldest first, since it was activated.</summary>
    [ReadOnly]
    Task<IReadOnlyList<RegionHealthEvent>> GetTimeline();
}
