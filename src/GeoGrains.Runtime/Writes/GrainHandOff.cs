using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Writes;

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
    /// <see cref="OwnershipDirectory.FenceAsync"/>), so a move whose answer was lost never wins over a later owner. This
    /// region records the move in its own directory before the new owner's, so that no crash leaves both owning it.
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

        // Checked here too, not only where the rehome was asked (whose configuration may be behind, and which follows the
        // owner the asked one names): the move's epoch is above the away tenure's, so the grain would resolve to a region
        // that holds no lease until it is restored (the simulation's seed 8552). A region drained after this check is
        // drained under a higher epoch, which takes the grain to its successor.
        if (failover.Configuration.IsAway(newOwner))
        {
            throw new RegionUnreachableException(region.Id, newOwner, "it is away (drained, or taken over after it failed); it takes no grains until it returns.");
        }

        var next = new GrainOwnership(newOwner, Math.Max(current.Epoch, latest?.Epoch ?? 0) + 1);
        var change = OwnershipTable.Empty.WithGrain(grain, registration.Partition, next);

        // The new owner gets the latest version before it is told it owns the grain, so it continues from there.
        if (latest is not null)
        {
            var batch = codec.Encode(region.Id, 0, [new ReplicatedChange(grain, latest)], compress: false, out _);
            await links.InvokeAsync(newOwner, g => g.GetGrain<IReplicationReceiverGrain>(0).Apply(batch));
        }

        // Step down first: record the move durably in this region's directory before the new owner can take the grain.
        // Recorded only after the new owner's answer, a crash of this silo in between left the region's directory without
        // the move: the grain reactivated here under the old epoch while the new owner wrote under the move's (the
        // simulation's seed 8099). Now a move that reached the new owner is always in this region's directory, and one
        // that did not is completed there by anti-entropy. This silo's copy learns the move only once the new owner has
        // answered: until then the grain's write lock, held here, keeps every write waiting, and calls routed by the copy
        // come to this activation rather than reaching the new owner before the move does and bouncing back.
        var recorded = await grains.GetGrain<IOwnershipDirectoryGrain>(0).Merge(change);
        if (recorded.Resolve(grain, registration.Partition) is var mine && mine != next)
        {
            // This region's directory holds a later owner (a takeover's fence): the grain was not this region's to move.
            ownership.Merge(recorded);
            throw new OwnershipMovedException(grain.ToString(), region.Id, mine);
        }

        OwnershipTable taken;
        try
        {
            taken = await links.InvokeAsync(newOwner, g => g.GetGrain<IOwnershipDirectoryGrain>(0).Merge(change));
        }
        catch (RegionUnreachableException exception)
        {
            // The new owner may have taken ownership and only the reply was lost; this region has stepped down already,
            // and directory anti-entropy completes the move once the link is back.
            throw new RegionUnreachableException(region.Id, newOwner,
                $"the move of '{grain}' is in doubt ({exception.Message}); region '{region.Id}' has stepped down and the move completes when the regions reconnect.");
        }
        finally
        {
            // Whatever the answer: the move is in this region's directory, so no write may run here under the old epoch.
            ownership.Merge(recorded);
        }

        if (taken.Resolve(grain, registration.Partition) is var held && held != next)
        {
            // A takeover fenced the grain at the new owner first: this region lost it, and learns so.
            ownership.Merge(taken);
            await grains.GetGrain<IOwnershipDirectoryGrain>(0).Merge(taken);
            throw new OwnershipMovedException(grain.ToString(), region.Id, held);
        }

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
