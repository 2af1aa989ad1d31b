using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;
using Orleans.Metadata;

namespace GeoGrains.Runtime.Reconciliation;

/// <summary>
/// The replication receiver's side of reconciliation. A region that was taken over after it failed may hold versions
/// it acknowledged but never shipped; the new owner's versions do not continue from them (<see cref="Lineage"/>), so a
/// receiver would skip them as older. Instead: the receiver of the region that owns the grain now hands each such
/// orphan to the grain (<see cref="IGeoGrainControl.Reconcile"/>), which records it once; other regions skip it. And
/// the region that committed it, about to replace it with a newer owner's version, first sends it to that owner, so it
/// is not lost if the region's own outbox no longer ships it (a restart ships the stored record, which is then the newer one).
/// </summary>
internal sealed class OrphanHandOff(
    LocalRegion region,
    GrainClassMap classes,
    GeoGrainTypes types,
    OwnershipCache ownership,
    IGrainFactory grains,
    IRegionLinks links,
    ReplicationBatchCodec codec,
    ILogger<OrphanHandOff> logger) : IOrphanedVersions
{
    /// <summary>
    /// Whether <paramref name="stored"/> must reach the grain's owner before <paramref name="incoming"/> replaces it: this
    /// region committed it, and the incoming version's lineage never saw it.
    /// </summary>
    public bool MustHandOver(GeoRecord stored, GeoRecord incoming) => stored.CommittedIn == region.Id && Lineage.IsOrphan(stored, incoming);

    /// <summary>Sends each held-back change's stored version to the grain's owner; the change may then replace it.</summary>
    /// <exception cref="RegionUnreachableException">An owner did not take it; the stored version must stay.</exception>
    public async Task HandOverAsync(IEnumerable<(ReplicatedChange Change, GeoRecord Stored)> held)
    {
        foreach (var (change, stored) in held)
        {
            var partition = PartitionOf(change.Grain) ?? throw new InvalidOperationException(
                $"Region '{region.Id}' holds an orphaned version {stored.Epoch}.{stored.Version} of '{change.Grain}', whose grain class it does not know; it keeps it.");
            var owner = await ownership.ResolveAsync(change.Grain, partition, change.Record.Epoch);
            if (owner.Owner == region.Id)
            {
                // Its copy of the directory names itself, yet a newer owner wrote: retried with the batch once it learns more.
                logger.LogInformation("Region {Region} holds orphaned version {Epoch}.{Version} of {Grain} and cannot tell its owner yet (epoch {Incoming} arrived).",
                    region.Id, stored.Epoch, stored.Version, change.Grain, change.Record.Epoch);
                throw new InvalidOperationException(
                    $"Region '{region.Id}' holds an orphaned version {stored.Epoch}.{stored.Version} of '{change.Grain}' and does not know its owner under epoch {change.Record.Epoch} yet.");
            }

            logger.LogInformation("Region {Region} hands its orphaned version {Epoch}.{Version} of {Grain} to the owner {Owner} before taking {NewEpoch}.{NewVersion}.",
                region.Id, stored.Epoch, stored.Version, change.Grain, owner.Owner, change.Record.Epoch, change.Record.Version);
            await SendAsync(owner.Owner, new ReplicatedChange(change.Grain, stored));
        }
    }

    /// <summary>At the owner: hands every orphan among <paramref name="skipped"/> (changes skipped as older than the stored version) to its grain.</summary>
    public async Task ReconcileAsync(IEnumerable<(ReplicatedChange Change, GeoRecord Stored)> skipped)
    {
        foreach (var (change, stored) in skipped)
        {
            if (!Lineage.IsOrphan(change.Record, stored))
            {
                continue;
            }

            if (PartitionOf(change.Grain) is not { } partition)
            {
                logger.LogError("Orphaned version {Epoch}.{Version} of {Grain} from {Origin} cannot be reconciled in {Region}: no geo grain class of its type is known here.",
                    change.Record.Epoch, change.Record.Version, change.Grain, change.Record.CommittedIn, region.Id);
                continue;
            }

            if ((await ownership.ResolveAsync(change.Grain, partition)).Owner != region.Id)
            {
                continue; // the owner region reconciles it
            }

            try
            {
                await grains.GetGrain<IGeoGrainControl>(change.Grain).Reconcile(change.Record.ToVersion());
            }
            catch (OwnershipMovedException moved) when (moved.Current.Owner != region.Id)
            {
                // This silo's copy was behind the grain's: the region that owns it now gets it.
                await SendAsync(moved.Current.Owner, change);
            }
        }
    }

    private HomePartition? PartitionOf(GrainId grain)
    {
        if (!classes.TryGetGrainClass(grain.Type, out var grainClass) || !typeof(IGeoGrainControl).IsAssignableFrom(grainClass))
        {
            return null;
        }

        try
        {
            return types.Register(grainClass, grain).Partition;
        }
        catch (GeoGrainsException)
        {
            return null;
        }
    }

    private Task SendAsync(RegionId owner, ReplicatedChange orphan)
    {
        var batch = codec.Encode(region.Id, 0, [orphan], compress: false, out _);
        return links.InvokeAsync(owner, g => g.GetGrain<IReplicationReceiverGrain>(0).Apply(batch));
    }
}
