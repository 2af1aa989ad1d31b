using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Hosting;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Ownership;

/// <summary>A planned move of one geo grain from this region, its owner, to another region.</summary>
internal sealed class GrainHandOff(
    LocalRegion region,
    GeoTopology topology,
    OwnershipCache ownership,
    IRegionLinks links,
    ReplicationBatchCodec codec,
    IGrainFactory grains,
    FailoverState failover,
    ILogger<GrainHandOff> logger)
{
    /// <summary>
    /// Hands ownership of <paramref name="grain"/> to <paramref name="newOwner"/>: a configuration change of one grain,
    /// decided by its owner under its lease and the grain's write lock (no write to the grain runs meanwhile; writes queued
    /// behind it then see the new owner and are forwarded). The move's epoch is above every epoch the grain was written
    /// under, and the new owner takes it only if no takeover fenced the grain first (see
    /// <see cref="OwnershipDirectory.FenceAsync"/>), so a move whose answer was lost never wins over a later owner.
    /// </summary>
    /// <exception cref="OwnershipMovedException">This region does not own the grain, or the new owner holds a later owner's fence.</exception>
    /// <exception cref="RegionLeaseLapsedException">This region holds no lease: another region may be taking its grains over.</exception>
    public async Task<GrainOwnership> HandOffAsync(GrainId grain, GeoGrainRegistration registration, GeoRecord? latest, RegionId newOwner)
    {
        _ = topology[newOwner];
        var current = await ownership.ResolveAsync(grain, registration.Partition);
        if (current.Owner != region.Id)
        {
            throw new OwnershipMovedException(grain.ToString(), region.Id, current);
        }

        if (newOwner == region.Id)
        {
            return current;
        }

        if (!failover.HoldsLease)
        {
            throw new RegionLeaseLapsedException(region.Id, grain.ToString(), mayHaveCommitted: false, "it holds no lease to move the grain with");
        }

        var next = new GrainOwnership(newOwner, Math.Max(current.Epoch, latest?.Epoch ?? 0) + 1);
        var change = OwnershipTable.Empty.WithGrain(grain, registration.Partition, next);

        // The new owner gets the latest version before it is told it owns the grain, so it continues from there.
        if (latest is not null)
        {
            var batch = codec.Encode(region.Id, 0, [new ReplicatedChange(grain, latest)], compress: false, out _);
            await links.InvokeAsync(newOwner, g => g.GetGrain<IReplicationReceiverGrain>(0).Apply(batch));
        }

        OwnershipTable taken;
        try
        {
            taken = await links.InvokeAsync(newOwner, g => g.GetGrain<IOwnershipDirectoryGrain>(0).Merge(change));
        }
        catch (RegionUnreachableException exception)
        {
            // The new owner may have taken ownership and only the reply was lost. Two writers would break the single-writer
            // rule, so this region steps down regardless; directory anti-entropy completes the move once the link is back.
            ownership.Merge(change);
            await grains.GetGrain<IOwnershipDirectoryGrain>(0).Merge(change);
            throw new RegionUnreachableException(region.Id, newOwner,
                $"the move of '{grain}' is in doubt ({exception.Message}); region '{region.Id}' has stepped down and the move completes when the regions reconnect.");
        }

        if (taken.Resolve(grain, registration.Partition) is var held && held != next)
        {
            // A takeover fenced the grain at the new owner first: this region lost it, and learns so.
            ownership.Merge(taken);
            await grains.GetGrain<IOwnershipDirectoryGrain>(0).Merge(taken);
            throw new OwnershipMovedException(grain.ToString(), region.Id, held);
        }

        // Fence this silo first, then record the move durably in this region's directory.
        ownership.Merge(change);
        ownership.Merge(await grains.GetGrain<IOwnershipDirectoryGrain>(0).Merge(change));

        // The other regions learn now if they can; until then they forward to this region, which forwards on.
        foreach (var other in topology.RegionIds.Where(r => r != region.Id && r != newOwner))
        {
            try
            {
                await links.InvokeAsync(other, g => g.GetGrain<IOwnershipDirectoryGrain>(0).Merge(change));
            }
            catch (RegionUnreachableException exception)
            {
                logger.LogWarning("Region {Region} did not learn that {Grain} moved to {Owner}: {Reason}", other, grain, newOwner, exception.Message);
            }
        }

        logger.LogInformation("Geo grain {Grain} moved from {Old} to {New} (epoch {Epoch}).", grain, region.Id, newOwner, next.Epoch);
        return next;
    }
}
