using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Ownership;

/// <summary>
/// The region's directory, kept in the region's storage account so that it outlives the silos. Moves are pushed to every
/// region when they happen; a region that missed one (partitioned, down) catches up by anti-entropy: every few seconds
/// the directory merges the other regions' tables, and since merging keeps the higher epoch, all copies converge.
/// </summary>
internal sealed class OwnershipDirectoryGrain(
    DirectoryStore store,
    GeoTopology topology,
    IRegionLinks links,
    ILogger<OwnershipDirectoryGrain> logger) : Grain, IOwnershipDirectoryGrain
{
    internal static readonly TimeSpan AntiEntropyInterval = TimeSpan.FromSeconds(5);

    private OwnershipTable _table = OwnershipTable.Empty;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _table = await store.ReadAsync();
        this.RegisterGrainTimer(ReconcileAsync, new GrainTimerCreationOptions(AntiEntropyInterval, AntiEntropyInterval) { Interleave = true });
    }

    public Task<OwnershipTable> GetTable() => Task.FromResult(_table);

    public async Task<OwnershipTable> Merge(OwnershipTable changes)
    {
        var merged = _table.Merge(changes);
        if (!ReferenceEquals(merged, _table))
        {
            await store.WriteAsync(merged);
            _table = merged;
        }

        return _table;
    }

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        foreach (var other in topology.RegionIds.Where(r => r != links.LocalRegion))
        {
            try
            {
                var theirs = await links.InvokeAsync(other, grains => grains.GetGrain<IOwnershipDirectoryGrain>(0).GetTable(), cancellationToken);
                await Merge(theirs);
            }
            catch (Exception exception) when (exception is RegionUnreachableException or OperationCanceledException)
            {
                logger.LogDebug("Directory anti-entropy with {Region} skipped: {Reason}", other, exception.Message);
            }
        }
    }
}
