using GeoGrains.Runtime.Topology;

namespace GeoGrains.Configuration;

/// <summary>
/// The topology as configuration states it: bound from the <c>GeoGrains:Topology</c> section, environment
/// variables or code, then turned into a validated <see cref="GeoTopology"/> by <see cref="GeoTopology.FromOptions"/>.
/// </summary>
public sealed class GeoTopologyOptions
{
    /// <summary>The configuration section the topology is read from.</summary>
    public const string SectionName = "GeoGrains:Topology";

    /// <summary>The regions. Must not be empty.</summary>
    public List<RegionOptions> Regions { get; set; } = [];

    /// <summary>Round-trip times between every pair of distinct regions; each pair once, in either order.</summary>
    public List<RoundTripOptions> RoundTrips { get; set; } = [];

    /// <summary>Round trip within one region (between availability zones). Default 1 ms, as in the seed's latency table.</summary>
    public double SameRegionMilliseconds { get; set; } = 1;
}

/// <summary>One region in configuration.</summary>
public sealed class RegionOptions
{
    /// <summary>The region id, e.g. <c>eu-west</c>.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>A human-readable name; defaults to the id.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The jurisdiction its data is stored in, e.g. <c>EU</c>.</summary>
    public string Jurisdiction { get; set; } = string.Empty;

    /// <summary>The Orleans cluster id; defaults to <c>geo-{Id}</c>.</summary>
    public string? ClusterId { get; set; }

    /// <summary>Gateway endpoints as <c>host:port</c>, e.g. <c>127.0.0.1:30000</c>.</summary>
    public List<string> Gateways { get; set; } = [];
}

/// <summary>The round-trip time between two regions.</summary>
public sealed class RoundTripOptions
{
    /// <summary>One region of the pair.</summary>
    public string Between { get; set; } = string.Empty;

    /// <summary>The other region of the pair.</summary>
    public string And { get; set; } = string.Empty;

    /// <summary>The round-trip time in milliseconds.</summary>
    public double Milliseconds { get; set; }
}
