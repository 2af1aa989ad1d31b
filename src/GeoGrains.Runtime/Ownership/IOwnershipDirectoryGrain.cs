using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Topology;

namespace GeoGrains.Runtime.Ownership;

/// <summary>This region's ownership directory. One per region cluster: use key 0.</summary>
internal interface IOwnershipDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// The entries that changed after <paramref name="since"/> and the cursor to ask from next; a reset when the log no
    /// longer reaches back to it (or for <see cref="DirectoryCursor.None"/>), which carries every partition entry.
    /// </summary>
    Task<DirectoryChanges> GetChanges(DirectoryCursor since);

    /// <summary>The override of <paramref name="grain"/>, or none, and the position the answer is valid at.</summary>
    Task<DirectoryLookup> Lookup(GrainId grain);

    /// <summary>
    /// A page of up to <paramref name="max"/> grain overrides after <paramref name="after"/> (a <see cref="DirectoryPage.Next"/>;
    /// <see langword="null"/> from the first), for another region whose cursor on this directory's log was reset.
    /// </summary>
    Task<DirectoryPage> GetOverrides(string? after, int max);

    /// <summary>
    /// Merges <paramref name="changes"/> (higher epochs win), records what changed durably under new revisions of this
    /// region's log, and returns what the directory now holds for every entry <paramref name="changes"/> names.
    /// </summary>
    Task<OwnershipTable> Merge(OwnershipTable changes);

    /// <summary>
    /// Fences <paramref name="grain"/> for the takeover <paramref name="takeover"/> of <paramref name="away"/>'s grains,
    /// decided in <paramref name="configuration"/>, and returns the override this directory holds for it afterwards: the
    /// fence, or a move that resolves elsewhere, which the takeover must respect (see <see cref="OwnershipDirectory.FenceAsync"/>).
    /// </summary>
    Task<GrainOwnership> Fence(GrainId grain, HomePartition partition, Failover.RegionConfiguration configuration, GrainOwnership takeover, RegionId away);
}
