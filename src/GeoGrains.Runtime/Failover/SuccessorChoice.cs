using System.Collections.Immutable;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// Picks, for each bucket of a failed region's partitions, the surviving region that takes it over: the one with the
/// freshest copy of the failed region's data first (the least to lose from <c>Async</c> writes), unless taking the bucket
/// would load it past its capacity while another survivor has room (the seed's rule: spread the load, keep headroom).
/// Loads are counted in regions' normal loads: each region carries 1 for what it owns, plus its share of every region it
/// took over.
/// </summary>
internal static class SuccessorChoice
{
    /// <param name="failed">The region whose grains move.</param>
    /// <param name="current">The configuration before the move (who already took over what).</param>
    /// <param name="candidates">The surviving regions that may take over, with the safe time of their copy of <paramref name="failed"/>'s data.</param>
    /// <param name="regions">Every region of the topology.</param>
    /// <param name="buckets">Partitions per region: the length of the successor list.</param>
    /// <param name="capacity">Each region's capacity, in normal loads.</param>
    /// <param name="allowed">A residency hook: whether a region may take over the failed region's data at all.</param>
    public static ImmutableArray<RegionId> Choose(
        RegionId failed,
        RegionConfiguration current,
        IReadOnlyDictionary<RegionId, HybridTimestamp?> candidates,
        IEnumerable<RegionId> regions,
        int buckets,
        Func<RegionId, double> capacity,
        Func<RegionId, RegionId, bool>? allowed = null)
    {
        var eligible = candidates
            .Where(c => c.Key != failed && !current.IsAway(c.Key) && (allowed?.Invoke(failed, c.Key) ?? true))
            .OrderByDescending(c => c.Value ?? default)
            .ThenBy(c => c.Key.Value, StringComparer.Ordinal)
            .Select(c => c.Key)
            .ToList();
        if (eligible.Count == 0)
        {
            throw new InvalidOperationException($"No surviving region may take over the grains of '{failed}'.");
        }

        var load = Loads(current, regions);
        var moving = load.GetValueOrDefault(failed, 1.0) / buckets;
        var successors = ImmutableArray.CreateBuilder<RegionId>(buckets);
        for (var bucket = 0; bucket < buckets; bucket++)
        {
            var withRoom = eligible.Where(r => load.GetValueOrDefault(r) + moving <= capacity(r) + 1e-9).Take(1).ToList();
            var chosen = withRoom.Count > 0 ? withRoom[0] : eligible.MaxBy(r => capacity(r) - load.GetValueOrDefault(r));
            successors.Add(chosen);
            load[chosen] = load.GetValueOrDefault(chosen) + moving;
        }

        return successors.MoveToImmutable();
    }

    /// <summary>Each region's load in normal loads under <paramref name="configuration"/>.</summary>
    public static Dictionary<RegionId, double> Loads(RegionConfiguration configuration, IEnumerable<RegionId> regions)
    {
        var load = regions.ToDictionary(r => r, _ => 1.0);

        // Hand each away region's load on to its successors, oldest takeover first, so that chains pass it along.
        foreach (var tenure in configuration.Tenures.Values.Where(t => t.State == TenureState.Away && !t.Successors.IsDefaultOrEmpty).OrderBy(t => t.Epoch))
        {
            var share = load.GetValueOrDefault(tenure.Region) / tenure.Successors.Length;
            load[tenure.Region] = 0;
            foreach (var successor in tenure.Successors)
            {
                load[successor] = load.GetValueOrDefault(successor) + share;
            }
        }

        return load;
    }
}
