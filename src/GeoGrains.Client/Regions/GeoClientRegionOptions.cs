namespace GeoGrains.Client;

/// <summary>One region as the region-aware client sees it: its name and how to reach its cluster.</summary>
public sealed class GeoClientRegionOptions
{
    /// <summary>The region id, e.g. <c>eu-west</c>; must match what the region's silos call themselves.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The region's gateway endpoints, each <c>host:port</c> (an IP address or a DNS name). At least one.</summary>
    public List<string> Gateways { get; set; } = [];

    /// <summary>The Orleans <c>ClusterId</c> of the region's cluster. Default <c>geo-{Name}</c>, as the silos use.</summary>
    public string? ClusterId { get; set; }

    /// <summary>The Orleans <c>ServiceId</c> of the region's cluster. Default: <see cref="GeoGrainsClientOptions.ServiceId"/>.</summary>
    public string? ServiceId { get; set; }
}
