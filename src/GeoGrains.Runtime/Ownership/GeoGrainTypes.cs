using System.Collections.Concurrent;
using GeoGrains.Runtime.Topology;

namespace GeoGrains.Runtime.Ownership;

/// <summary>
/// The geo grain classes this silo places: each class checked once (its attribute, read level, durability and, for an
/// active-active class, its conflict policy), each activation given its home region and home partition.
/// </summary>
internal sealed class GeoGrainTypes(GeoTopology topology, HomePartitioning partitioning, IReadOnlyDictionary<string, Func<string, RegionId>> homeFunctions)
{
    private readonly ConcurrentDictionary<Type, (GeoGrainAttribute Attribute, GeoGrains.Consistency Reads, Durability Writes)> _types = new();

    /// <summary>Places an activation: validates its class and key, and finds its home partition.</summary>
    /// <exception cref="GeoGrainNotRegisteredException">The class is not a valid geo grain class, or its key has no home.</exception>
    /// <exception cref="InvalidConsistencyException">The class declares a read level or durability the topology cannot give.</exception>
    public GeoGrainRegistration Register(Type grainClass, GrainId grain)
    {
        var (attribute, reads, writes) = _types.GetOrAdd(grainClass, type =>
        {
            var declared = GeoGrainRegistration.AttributeOf(type);
            var (reads, writes) = ConsistencyRules.DefaultsOf(declared, type.FullName ?? type.Name, topology.RegionIds.Count());
            if (declared.Writers == GeoWriters.AnyRegion)
            {
                ActiveActiveRules.Check(type, declared, reads);
            }

            return (declared, reads, writes);
        });
        var key = grain.Key.ToString();
        var home = HomeRegionPolicy.For(attribute, topology, homeFunctions, grainClass.FullName ?? grainClass.Name).HomeOf(key);
        return new GeoGrainRegistration(key, home, partitioning.Of(home, key), attribute, reads, writes);
    }
}
