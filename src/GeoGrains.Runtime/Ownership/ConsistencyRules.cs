// GeoGrains.Consistency, not this namespace.
using ReadLevel = GeoGrains.Consistency;

namespace GeoGrains.Runtime.Ownership;

/// <summary>What a grain type or a call may ask for in this topology, and the grain type's defaults.</summary>
internal static class ConsistencyRules
{
    /// <summary>The read level and write durability a grain class declares, checked against the topology.</summary>
    /// <exception cref="InvalidConsistencyException">The class declares an undefined level or mode, a bounded staleness without a positive bound, or a semi-sync count the topology cannot meet.</exception>
    public static (ReadLevel Reads, Durability Writes) DefaultsOf(GeoGrainAttribute attribute, string grainType, int regions)
    {
        ReadLevel reads;
        Durability writes;
        try
        {
            reads = ReadLevel.Of(
                attribute.Reads,
                attribute.Reads == ReadConsistency.BoundedStaleness ? TimeSpan.FromMilliseconds(attribute.MaxStalenessMilliseconds) : null);
            writes = Durability.Of(attribute.Replication, attribute.SemiSyncRegions);
        }
        catch (InvalidConsistencyException exception)
        {
            throw new InvalidConsistencyException($"[GeoGrain] on {grainType}: {exception.Message}");
        }

        Check(writes, grainType, regions);
        return (reads, writes);
    }

    /// <summary>Refuses a durability the topology cannot give: more other regions than there are.</summary>
    /// <exception cref="InvalidConsistencyException">SemiSync(k) with k ≥ the number of regions.</exception>
    public static void Check(Durability writes, string grainType, int regions)
    {
        if (writes.Mode == ReplicationMode.SemiSync && writes.Regions > regions - 1)
        {
            throw new InvalidConsistencyException(
                $"{grainType}: SemiSync({writes.Regions}) needs {writes.Regions} other regions to apply each write, but the topology has {regions} regions ({regions - 1} besides the owner).");
        }
    }
}
