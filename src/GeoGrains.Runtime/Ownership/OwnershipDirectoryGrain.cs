using GeoGrains.Configuration;
using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace GeoGrains.Runtime.Ownership;

/// <summary>
/// The region's directory (<see cref="OwnershipDirectory"/>), kept in the region's storage account so that it outlives the
/// silos. Moves are pushed to every region when they happen; a region that missed one (partitioned, down) catches up by
/// anti-entropy: every few seconds the directory takes, from each other region, the changes of its log since the last
/// time, and since merging keeps the higher epoch, all copies converge.
/// </summary>
/// <remarks>
/// Reentrant, so that silos' refreshes and lookups are not queued behind a merge's storage write or an anti-entropy
/// round's cross-region calls; <see cref="OwnershipDirectory"/> orders the writes.
/// </remarks>
[Reentrant]
internal sealed class OwnershipDirectoryGrain(
    DirectoryStore store,
    GeoTopology topology,
    IRegionLinks links,
    IOptions<OwnershipDirectoryOptions> options,
    ILogger<OwnershipDirectoryGrain> logger) : Grain, IOwnershipDirectoryGrain
{
    internal static readonly TimeSpan AntiEntropyInterval = TimeSpan.FromSeconds(5);

    private OwnershipDirectory _directory = null!;
    private bool _reconciling;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _directory = new OwnershipDirectory(store, options.Value.MaxCachedOverrides, logger);
        await _directory.LoadAsync(cancellationToken);
        this.RegisterGrainTimer(ReconcileAsync, new GrainTimerCreationOptions(AntiEntropyInterval, AntiEntropyInterval) { Interleave = true });
    }

    public Task<DirectoryChanges> GetChanges(DirectoryCursor since) => _directory.GetChangesAsync(since);

    public Task<DirectoryLookup> Lookup(GrainId grain) => _directory.LookupAsync(grain);

    public Task<DirectoryPage> GetOverrides(string? after, int max) => _directory.GetOverridesAsync(after, max);

    public Task<OwnershipTable> Merge(OwnershipTable changes) => _directory.MergeAsync(changes);

    public Task<GrainOwnership> Fence(GrainId grain, HomePartition partition, Failover.RegionConfiguration configuration, GrainOwnership takeover, RegionId away) =>
        _directory.FenceAsync(grain, partition, configuration, takeover, away);

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (_reconciling)
        {
            return;
        }

        _reconciling = true;
        try
        {
            await _directory.SyncAsync(cancellationToken);
            foreach (var other in topology.RegionIds.Where(r => r != links.LocalRegion))
            {
                try
                {
                    var changed = await _directory.PullAsync(other, new LinkedDirectoryPeer(links, other, cancellationToken), cancellationToken);
                    if (changed > 0)
                    {
                        logger.LogInformation("Directory anti-entropy took {Count} changed entries from {Region}.", changed, other);
                    }
                }
                catch (Exception exception) when (exception is RegionUnreachableException or OperationCanceledException)
                {
                    logger.LogDebug("Directory anti-entropy with {Region} skipped: {Reason}", other, exception.Message);
                }
            }
        }
        catch (RegionStorageException exception)
        {
            logger.LogWarning("Directory anti-entropy skipped: this region's storage failed: {Reason}", exception.Message);
        }
        finally
        {
            _reconciling = false;
        }
    }
}
