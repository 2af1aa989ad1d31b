using GeoGrains.Runtime.Links;

namespace GeoGrains.Configuration;

/// <summary>Options of the connections from a region to every other region.</summary>
public sealed class GeoLinkOptions
{
    /// <summary>
    /// How long a call to another region may take before it fails with <see cref="RegionUnreachableException"/>.
    /// Default 5 s: the seed's failover timeline confirms a failed region within 5 s.
    /// </summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long connecting to another region's gateways may take. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether the links add the topology's round-trip times to every call (WAN emulation). Default <see langword="false"/>:
    /// real regions have real distance. The dev cluster and <c>GeoTestCluster</c> turn it on. Partitions and loss
    /// injected through <see cref="WanEmulator"/> apply either way.
    /// </summary>
    public bool EmulateWan { get; set; }
}
