using GeoGrains.Configuration;
using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Ownership;
using Microsoft.Extensions.Logging.Abstractions;

namespace GeoGrains.Simulation;

/// <summary>
/// Mirrors <c>OwnershipDirectoryGrain</c> (src/GeoGrains.Runtime/Ownership/OwnershipDirectoryGrain.cs) over the real
/// <see cref="OwnershipDirectory"/> and <see cref="DirectoryStore"/> on the region's <c>MemoryRegionTable</c> (so the
/// directory's rows outlive a crash, its memory does not): <see cref="Start"/> ↔ <c>OnActivateAsync</c> (load, the
/// anti-entropy timer every <c>AntiEntropyInterval</c>), <see cref="GetChanges"/>, <see cref="GetOverrides"/>,
/// <see cref="Merge"/>, <see cref="Fence"/> ↔ the grain's methods, <see cref="ReconcileAsync"/> ↔ <c>ReconcileAsync</c>
/// (sync, then pull from every other region through <see cref="SimDirectoryPeer"/>, which mirrors
/// <c>LinkedDirectoryPeer</c>). Left out: <c>Lookup</c> over the links (a silo's copy reads its own region's directory:
/// <see cref="SimOwnershipCache"/>). If OwnershipDirectoryGrain changes, change this file the same way.
/// </summary>
internal sealed class SimDirectory
{
    private static readonly OwnershipDirectoryOptions Options = new();

    private readonly SimWorld _world;
    private readonly SimNode _node;
    private bool _reconciling;

    public SimDirectory(SimWorld world, SimNode node)
    {
        _world = world;
        _node = node;
        Directory = new OwnershipDirectory(new DirectoryStore(node.Region.Table, world.Serializer, Options), Options.MaxCachedOverrides, NullLogger.Instance);
    }

    public OwnershipDirectory Directory { get; }

    /// <summary>
    /// Counts the calls that may have changed the directory (merges, fences, anti-entropy answers): what reads it often
    /// (the silo's copy, the invariants) asks it again only when this moved, which is cheaper than its locked cursor.
    /// Storage answers at once, so a change is made in the same event as the count.
    /// </summary>
    public long Changes { get; private set; }

    /// <summary>An anti-entropy answer arrived: it is merged in the same event.</summary>
    public void Answered() => Changes++;

    // OnActivateAsync: MemoryRegionTable answers at once.
    public void Start()
    {
        Directory.LoadAsync().GetAwaiter().GetResult();
        var interval = OwnershipDirectoryGrain.AntiEntropyInterval;
        _ = _node.Region.Time.CreateTimer(_ => _ = ReconcileAsync(), null, interval, interval);
    }

    public Task<DirectoryChanges> GetChanges(DirectoryCursor since) => Directory.GetChangesAsync(since);

    public Task<DirectoryPage> GetOverrides(string? after, int max) => Directory.GetOverridesAsync(after, max);

    public Task<OwnershipTable> Merge(OwnershipTable changes)
    {
        Changes++;
        return Directory.MergeAsync(changes);
    }

    public Task<GrainOwnership> Fence(SimGrain grain, RegionConfiguration configuration, GrainOwnership takeover, RegionId away)
    {
        Changes++;
        return Directory.FenceAsync(grain.Id, grain.Partition, configuration, takeover, away);
    }

    // OwnershipDirectoryGrain.ReconcileAsync.
    private async Task ReconcileAsync()
    {
        if (_reconciling)
        {
            return;
        }

        _reconciling = true;
        try
        {
            Changes++;
            await Directory.SyncAsync();
            foreach (var other in _node.Targets)
            {
                try
                {
                    var changed = await Directory.PullAsync(other, new SimDirectoryPeer(_world, _node, other));
                    if (changed > 0)
                    {
                        _world.Sim.Trace($"{_node.Region.Id}: directory anti-entropy took {changed} changed entries from {other}");
                    }
                }
                catch (RegionUnreachableException)
                {
                    // Skipped this round; the next one continues from the stored cursor.
                }
            }
        }
        finally
        {
            _reconciling = false;
        }
    }
}
