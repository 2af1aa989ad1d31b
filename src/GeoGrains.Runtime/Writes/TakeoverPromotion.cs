using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Writes;

/// <summary>
/// Makes a grain's new owner, after an agreed move of a whole region's grains, continue from the freshest version any
/// region holds. After a failure, a <c>SemiSync(k)</c> write the failed region acknowledged is stored in at least k other
/// regions, not necessarily in the successor: before its first write under the move's epoch, the new owner reads the
/// grain from every region that is a member (one round trip, in parallel, per grain it takes writes for, not per grain
/// it took over) and stores the newest version it finds. After a planned move (drain, return), the previous owners are
/// alive and hold every version they acknowledged, so they are read too, and the new owner first waits a lease period
/// from when it learned the move: by then the previous owners have stopped writing. Cost follows the grains written
/// after the move, not the grains moved.
/// </summary>
internal sealed class TakeoverPromotion(
    LocalRegion region,
    GeoTopology topology,
    IRegionLinks links,
    GeoStore store,
    ReplicaVersions known,
    FailoverState failover,
    OwnershipCache ownership,
    IGrainFactory grains,
    ILogger<TakeoverPromotion> logger)
{
    /// <summary>Whether a grain whose activation holds <paramref name="stored"/> must gather before writing under <paramref name="owner"/>.</summary>
    public bool IsNeeded(StoredGeoRecord? stored, GrainOwnership owner) =>
        (stored?.Record.Epoch ?? 0) < owner.Epoch && failover.Configuration.TenureAt(owner.Epoch) is not null;

    /// <summary>
    /// Stores, and gives the activation, the newest version of the grain among the surviving regions. Every surviving
    /// region's directory is fenced in the same round trip (<see cref="OwnershipDirectory.FenceAsync"/>): a move of the
    /// grain decided by the previous owner whose answer was lost can then never give it to a region writing under a lower
    /// epoch; and a move, or a later takeover's fence, that did reach a survivor is respected: the grain goes there,
    /// nothing is gathered, and <see langword="false"/> is returned (the caller routes the call again). Planned moves
    /// (drain, restore, failback) fence too: a region that was away when a chained takeover fenced the survivors still
    /// holds the earlier fence, which its restore's tenure would resolve to itself while the chained takeover's owner
    /// writes on (the simulation's seeds 423 and 2486); and a move decided by a drained region just before its drain may
    /// have reached only the region it named.
    /// </summary>
    /// <exception cref="RegionUnreachableException">A surviving region did not answer: a version only it holds could be lost, so nothing is written yet.</exception>
    public async Task<bool> GatherAsync(IGeoGrainActivation grain, GrainOwnership owner)
    {
        var configuration = failover.Configuration;
        var tenure = configuration.TenureAt(owner.Epoch);
        if (tenure is { Planned: true })
        {
            var fence = failover.Options.LeasePeriod + failover.Options.MaxClockOffset;
            if (!await failover.WaitAsync(() => failover.KnownFor(configuration.Generation) >= fence, fence + failover.LeaseWait))
            {
                throw new RegionUnreachableException(region.Id, tenure.Region, $"the move of its grains (epoch {owner.Epoch}) is not settled yet; try again.");
            }
        }

        var survivors = topology.RegionIds
            .Where(r => r != region.Id && (!configuration.IsAway(r) || (tenure is { Planned: true, State: TenureState.Away } && r == tenure.Region)))
            .ToList();
        // The fences and the reads go out together (one round trip): a survivor that held no move when fenced writes nothing
        // of the grain after it, and one that held a move makes the copies moot.
        var fenced = tenure is not null ? FenceAsync(grain, configuration, owner, tenure.Region, survivors) : Task.FromResult<GrainOwnership?>(null);
        var reads = Task.WhenAll(survivors.Select(r => links.InvokeAsync(r, g => g.GetGrain<IReplicationReceiverGrain>(0).Read(grain.GrainId))));

        // A region drained since (a planned move: alive, writing nothing) may hold the only copy of a write it acknowledged
        // before: read too, as far as it answers (one that does not is a failure of its own).
        var drained = topology.RegionIds.Where(r => r != region.Id && !survivors.Contains(r) && configuration.Tenures.TryGetValue(r, out var t) && t is { State: TenureState.Away, Planned: true });
        var drainedReads = Task.WhenAll(drained.Select(async r =>
        {
            try
            {
                return await links.InvokeAsync(r, g => g.GetGrain<IReplicationReceiverGrain>(0).Read(grain.GrainId));
            }
            catch (RegionUnreachableException)
            {
                return null;
            }
        }));
        await Task.WhenAll(fenced, reads, drainedReads);
        if (await fenced is { } moved)
        {
            ownership.Merge(OwnershipTable.Empty.WithGrain(grain.GrainId, grain.Registration.Partition, moved));
            logger.LogInformation("Geo grain {Grain}: not taken over under epoch {Epoch}: region {Owner} holds it by a move decided before (epoch {MovedEpoch}).",
                grain.GrainId, owner.Epoch, moved.Owner, moved.Epoch);
            return false;
        }

        var copies = (await reads).Concat(await drainedReads);
        var local = grain.Stored?.Record;
        var newest = copies.Where(c => c is not null && c.Epoch < owner.Epoch).Aggregate(local, (a, b) => b!.IsNewerThan(a) ? b : a);
        if (newest is null || ReferenceEquals(newest, local))
        {
            return true;
        }

        var applied = (await store.ApplyReplicasAsync([new ReplicatedChange(grain.GrainId, newest)], known)).Applied;
        foreach (var (_, stored) in applied)
        {
            grain.Accept(stored);
        }

        if (grain.Stored is null || newest.IsNewerThan(grain.Stored.Record))
        {
            await grain.ReloadAsync();
        }

        logger.LogInformation("Geo grain {Grain}: taking over under epoch {Epoch} from version {Epoch0}.{Version} gathered from the surviving regions (had {Local}).",
            grain.GrainId, owner.Epoch, newest.Epoch, newest.Version, local is null ? "none" : $"{local.Epoch}.{local.Version}");
        return true;
    }

    // Fences the grain in this region's and every survivor's directory with (the tenure's region, its epoch − 1), which
    // resolves through that tenure to this owner; returns a move that one of them holds and that resolves elsewhere than
    // this takeover (the takeover must respect it), or null.
    private async Task<GrainOwnership?> FenceAsync(
        IGeoGrainActivation grain, RegionConfiguration configuration, GrainOwnership owner, RegionId away, IReadOnlyList<RegionId> survivors)
    {
        var (id, partition) = (grain.GrainId, grain.Registration.Partition);
        var here = grains.GetGrain<IOwnershipDirectoryGrain>(0).Fence(id, partition, configuration, owner, away);
        var held = await Task.WhenAll(survivors.Select(r => links.InvokeAsync(r, g => g.GetGrain<IOwnershipDirectoryGrain>(0).Fence(id, partition, configuration, owner, away))).Prepend(here));
        return held.Where(h => configuration.Resolve(h, partition) != owner).MaxBy(h => h.Epoch);
    }
}
