namespace GeoGrains.Client.Routing;

/// <summary>
/// Chooses the region calls go to, from what the client knows of each region: pure logic, so that every rule is tested
/// without a network. Ranking: preferred regions in their order, then by smoothed round trip, then configuration order.
/// </summary>
internal static class RegionSelector
{
    // A nearer region must be clearly nearer to draw the client away: jitter between two similar regions does not.
    private const double NearerBy = 0.8;

    /// <summary>
    /// The region calls should go to now: the current one while it is healthy, unless a better-ranked one has been healthy
    /// for <paramref name="failbackAfter"/>; the best healthy one when the current one is down or there is none yet;
    /// <see langword="null"/> when no region is healthy.
    /// </summary>
    public static RegionId? Choose(
        RegionId? current,
        IReadOnlyList<GeoRegionStatus> regions,
        IReadOnlyList<RegionId> preferred,
        DateTimeOffset now,
        TimeSpan failbackAfter)
    {
        var healthy = Rank(regions.Where(r => r.Healthy), regions, preferred).ToList();
        if (healthy.Count == 0)
        {
            return null;
        }

        var best = healthy[0];
        var currentStatus = current is { } c ? healthy.FirstOrDefault(r => r.Region == c) : null;
        if (currentStatus is null)
        {
            return best.Region;
        }

        if (best.Region == currentStatus.Region || best.HealthySince is not { } since || now - since < failbackAfter)
        {
            return currentStatus.Region;
        }

        var bestPreference = PreferenceOf(best.Region, preferred);
        var currentPreference = PreferenceOf(currentStatus.Region, preferred);
        if (bestPreference < currentPreference)
        {
            return best.Region;
        }

        return bestPreference == currentPreference
            && best.RoundTrip is { } bestTrip
            && (currentStatus.RoundTrip is not { } currentTrip || bestTrip < currentTrip * NearerBy)
                ? best.Region
                : currentStatus.Region;
    }

    /// <summary>
    /// The regions a call tries, in order: <paramref name="first"/> (a grain's owner, for direct home routing) and the
    /// current region, then the other healthy regions by rank, then those that are down (they may be back).
    /// </summary>
    public static IReadOnlyList<RegionId> CallOrder(
        RegionId? first,
        RegionId? current,
        IReadOnlyList<GeoRegionStatus> regions,
        IReadOnlyList<RegionId> preferred)
    {
        var order = new List<RegionId>(regions.Count);
        void Add(RegionId region)
        {
            if (!order.Contains(region))
            {
                order.Add(region);
            }
        }

        if (first is { } f && regions.Any(r => r.Region == f && r.Healthy))
        {
            Add(f);
        }

        if (current is { } c && regions.Any(r => r.Region == c && r.Healthy))
        {
            Add(c);
        }

        foreach (var region in Rank(regions.Where(r => r.Healthy), regions, preferred))
        {
            Add(region.Region);
        }

        foreach (var region in Rank(regions.Where(r => !r.Healthy), regions, preferred))
        {
            Add(region.Region);
        }

        return order;
    }

    private static IEnumerable<GeoRegionStatus> Rank(IEnumerable<GeoRegionStatus> candidates, IReadOnlyList<GeoRegionStatus> all, IReadOnlyList<RegionId> preferred) =>
        candidates
            .OrderBy(r => PreferenceOf(r.Region, preferred))
            .ThenBy(r => r.RoundTrip ?? TimeSpan.MaxValue)
            .ThenBy(r => IndexOf(all, r.Region));

    private static int PreferenceOf(RegionId region, IReadOnlyList<RegionId> preferred)
    {
        for (var i = 0; i < preferred.Count; i++)
        {
            if (preferred[i] == region)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private static int IndexOf(IReadOnlyList<GeoRegionStatus> all, RegionId region)
    {
        for (var i = 0; i < all.Count; i++)
        {
            if (all[i].Region == region)
            {
                return i;
            }
        }

        return int.MaxValue;
    }
}
