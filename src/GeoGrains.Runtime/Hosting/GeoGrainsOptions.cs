using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Topology;

namespace GeoGrains.Runtime.Hosting;

/// <summary>Options of a GeoGrains silo; bound from the <c>GeoGrains</c> configuration section or set in code.</summary>
public sealed class GeoGrainsOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "GeoGrains";

    /// <summary>The region this silo belongs to. Required; must be a region of <see cref="Topology"/>.</summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>The topology. When not set, the seed's default three regions (<see cref="GeoTopology.DefaultOptions"/>).</summary>
    public GeoTopologyOptions? Topology { get; set; }

    /// <summary>Options of the connections to other regions.</summary>
    public GeoLinkOptions Links { get; set; } = new();
}
