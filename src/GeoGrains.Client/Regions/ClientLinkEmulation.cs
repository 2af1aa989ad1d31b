namespace GeoGrains.Client.Regions;

/// <summary>
/// Test hook: "places" the client in a region by delaying its probes and calls to each region by an emulated one-way delay,
/// both ways, and refusing calls over links the emulator has cut. GeoTestCluster wires it to its WAN emulator; apps never
/// see it.
/// </summary>
/// <param name="OneWayDelay">The delay of one message from the client to a region, and of its reply.</param>
/// <param name="CutReason">Why the link to a region is cut, or <see langword="null"/> when it is up.</param>
internal sealed record ClientLinkEmulation(Func<RegionId, TimeSpan> OneWayDelay, Func<RegionId, string?> CutReason);
