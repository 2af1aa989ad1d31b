using System.Collections.Immutable;

namespace GeoGrains.Crdts;

/// <summary>
/// The causal context of an observed-remove delta: the dots in (<c>floor</c>, <c>context</c>] per region (every change
/// made after the copy the delta was taken against) and the <c>removed</c> dots (adds that copy held and the newer one
/// no longer does). A dot set rather than a vector, because a vector entry <c>r: n</c> claims every dot of <c>r</c> up
/// to <c>n</c>, so a receiver would drop every add the delta does not repeat.
/// </summary>
internal static class CausalDeltas
{
    public static bool Covers(VersionVector floor, VersionVector context, ImmutableArray<Dot> removed, Dot dot) =>
        (!floor.Contains(dot) && context.Contains(dot)) || (!removed.IsDefaultOrEmpty && ImmutableArray.BinarySearch(removed, dot) >= 0);

    /// <summary>The delta's canonical removed dots: distinct, sorted.</summary>
    public static ImmutableArray<Dot> Canonical(ImmutableArray<Dot> removed) => [.. (removed.IsDefault ? [] : removed).Distinct().Order()];

    /// <summary>The dots <paramref name="earlier"/> held that the newer copy no longer holds.</summary>
    public static ImmutableArray<Dot> Removed(IEnumerable<Dot> earlier, IEnumerable<Dot> held)
    {
        var kept = held.ToHashSet();
        return [.. earlier.Where(d => !kept.Contains(d))];
    }

    /// <summary>Refuses a delta whose parts do not fit its interval (what <c>DeltaSince</c> never makes).</summary>
    public static void Validate(string type, VersionVector floor, VersionVector context, IEnumerable<Dot> entryDots, ImmutableArray<Dot> removed)
    {
        if (floor.Compare(context) is not (CausalOrder.Before or CausalOrder.Equal))
        {
            throw new InvalidCrdtOperationException($"An {type} delta's floor {floor} must be at or below its context {context}.");
        }

        foreach (var dot in entryDots)
        {
            if (floor.Contains(dot) || !context.Contains(dot))
            {
                throw new InvalidCrdtOperationException($"An {type} delta carries the add {dot}, outside its interval: floor {floor}, context {context}.");
            }
        }

        foreach (var dot in removed)
        {
            if (!floor.Contains(dot))
            {
                throw new InvalidCrdtOperationException($"An {type} delta removes {dot}, which its floor {floor} has not seen.");
            }
        }
    }

    /// <summary>Refuses to take a delta against a copy that has seen changes this one has not.</summary>
    public static void RequireEarlier(string type, VersionVector earlier, VersionVector mine)
    {
        if (earlier.Compare(mine) is not (CausalOrder.Before or CausalOrder.Equal))
        {
            throw new InvalidCrdtOperationException(
                $"An {type} delta is taken against a copy this one has seen, but the earlier copy's context {earlier} has changes this copy's context {mine} lacks.");
        }
    }

    /// <summary>Refuses to join a delta into a copy that has not seen the copy it was taken against.</summary>
    public static void RequireSeen(string type, VersionVector mine, VersionVector floor)
    {
        if (floor.Compare(mine) is not (CausalOrder.Before or CausalOrder.Equal))
        {
            throw new InvalidCrdtOperationException(
                $"An {type} delta joins only into a copy that has seen its floor {floor}; this copy's context {mine} has not (join the whole state instead).");
        }
    }
}
