using System.Net;

namespace GeoGrains.Client.Regions;

/// <summary>One validated region of the client's settings.</summary>
/// <param name="Id">The region.</param>
/// <param name="Gateways">Its gateways: <see cref="IPEndPoint"/>s, or <see cref="DnsEndPoint"/>s resolved at each connection.</param>
/// <param name="ClusterId">The Orleans cluster id of the region.</param>
/// <param name="ServiceId">The Orleans service id of the region.</param>
internal sealed record ClientRegion(RegionId Id, IReadOnlyList<EndPoint> Gateways, string ClusterId, string ServiceId);
