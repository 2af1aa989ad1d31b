using System.Collections.Immutable;

namespace GeoGrains.Crdts;

/// <summary>
/// The rules an observed-remove copy follows when it takes a delta (<c>DeltaSince</c>) or joins one (<c>MergeDelta</c>);
/// the delta itself, and the rules about its parts alone, are <see cref="ObservedRemoveDelta{TEntry}"/>.
/// </summary>
internal static class CausalDeltas
{
    /// <summary>The dots <paramref name="earlier"/> held that the newer copy no longer holds.</summary>
    public static ImmutableArray<Dot> Removed(IEnumerable<Dot> earlier, IEnumerable<Dot> held)
    {
        var kept = held.ToHashSet();
        return [.. earlier.Where(d => !kept.Contains(d))];
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
