using GeoGrains.Runtime.Topology;
using System.Reflection;

namespace GeoGrains.Runtime.Ownership;

/// <summary>
/// What GeoGrains knows of one geo grain activation: its key, home region and home partition, and its type's default
/// read level and write durability.
/// </summary>
internal sealed record GeoGrainRegistration(
    string Key, RegionId Home, HomePartition Partition, GeoGrainAttribute Attribute, GeoGrains.Consistency Reads, Durability Writes)
{
    /// <summary>The <see cref="GeoGrainAttribute"/> of a grain class, or a typed error naming what is missing.</summary>
    public static GeoGrainAttribute AttributeOf(Type grainClass) =>
        grainClass.GetCustomAttribute<GeoGrainAttribute>(inherit: false)
        ?? throw new GeoGrainNotRegisteredException(grainClass.FullName ?? grainClass.Name, "add [GeoGrain(...)] to the class to register it.");
}
