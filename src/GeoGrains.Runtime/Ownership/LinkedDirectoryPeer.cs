using GeoGrains.Runtime.Links;

namespace GeoGrains.Runtime.Ownership;

/// <summary>Another region's directory grain, reached through the links (so the WAN emulation and metering apply).</summary>
internal sealed class LinkedDirectoryPeer(IRegionLinks links, RegionId region, CancellationToken cancellationToken) : IDirectoryPeer
{
    public Task<DirectoryChanges> GetChanges(DirectoryCursor since) =>
        links.InvokeAsync(region, grains => grains.GetGrain<IOwnershipDirectoryGrain>(0).GetChanges(since), cancellationToken);

    public Task<DirectoryPage> GetOverrides(string? after, int max) =>
        links.InvokeAsync(region, grains => grains.GetGrain<IOwnershipDirectoryGrain>(0).GetOverrides(after, max), cancellationToken);
}
