using System.Net;

namespace GeoGrains.Runtime.Topology;

/// <summary>One region of a topology: an independent Orleans cluster and where its gateways listen.</summary>
/// <param name="Id">The region id.</param>
/// <param name="DisplayName">A human-readable name, e.g. "US East".</param>
/// <param name="Jurisdiction">The legal jurisdiction the region's data is stored in, e.g. <c>US</c>, <c>EU</c>, <c>APAC</c>.</param>
/// <param name="ClusterId">The Orleans <c>ClusterId</c> of the region's cluster.</param>
/// <param name="Gateways">The gateway endpoints other regions connect to.</param>
public sealed record RegionDescriptor(
    RegionId Id,
    string DisplayName,
    string Jurisdiction,
    string ClusterId,
    IReadOnlyList<IPEndPoint> Gateways);
