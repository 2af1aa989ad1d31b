using GeoGrains.Runtime.Ownership;

namespace GeoGrains.Simulation;

/// <summary>
/// Mirrors <c>LinkedDirectoryPeer</c> (src/GeoGrains.Runtime/Ownership/LinkedDirectoryPeer.cs): another region's
/// directory, reached through <see cref="SimNetwork"/> (so cuts, loss and delays apply to anti-entropy too).
/// </summary>
internal sealed class SimDirectoryPeer(SimWorld world, SimNode node, RegionId peer) : IDirectoryPeer
{
    public async Task<DirectoryChanges> GetChanges(DirectoryCursor since)
    {
        var answer = await world.Network.CallAsync(node.Region, world[peer], "directory changes", n => n.Directory.GetChanges(since), world.Options.CallTimeout);
        node.Directory.Answered();
        return answer;
    }

    public async Task<DirectoryPage> GetOverrides(string? after, int max)
    {
        var answer = await world.Network.CallAsync(node.Region, world[peer], "directory overrides", n => n.Directory.GetOverrides(after, max), world.Options.CallTimeout);
        node.Directory.Answered();
        return answer;
    }
}
