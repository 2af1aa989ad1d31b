using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Simulation;

/// <summary>
/// Mirrors <c>TakeoverPromotion</c> (src/GeoGrains.Runtime/Writes/TakeoverPromotion.cs): <see cref="IsNeeded"/> ↔
/// <c>IsNeeded</c>, <see cref="GatherAsync"/> ↔ <c>GatherAsync</c> (reads every region that is a member, in parallel,
/// through the receiver's <c>Read</c>; stores the newest version of an older epoch). After a planned move (drain, restore,
/// failback) it first waits until the move has been known for LeasePeriod + MaxClockOffset, and reads the previous owner
/// too. It fences the grain in its own and every survivor's directory in the same round trip as the
/// reads (<see cref="FenceAsync"/> ↔ <c>FenceAsync</c>, each survivor's <see cref="SimDirectory.Fence"/> over the real
/// <c>OwnershipDirectory.FenceAsync</c>), and when one holds a move that resolves elsewhere it merges it into the silo's
/// copy and returns false (the caller routes again). One per silo: it reads the silo's configuration and
/// <c>FailoverState.KnownFor</c>. If TakeoverPromotion changes, change this file the same way.
/// </summary>
internal sealed class SimPromotion(SimWorld world, SimNode node, SimSilo silo)
{
    public bool IsNeeded(StoredGeoRecord? stored, GrainOwnership owner) =>
        (stored?.Record.Epoch ?? 0) < owner.Epoch && silo.Failover.Configuration.TenureAt(owner.Epoch) is not null;

    /// <exception cref="RegionUnreachableException">A surviving region did not answer: nothing is written yet.</exception>
    public async Task<bool> GatherAsync(SimGrain grain, StoredGeoRecord? stored, GrainOwnership owner)
    {
        var configuration = silo.Failover.Configuration;
        var tenure = configuration.TenureAt(owner.Epoch);
        if (tenure is { Planned: true })
        {
            var fence = world.Options.LeasePeriod + world.Options.MaxClockOffset;
            if (!await silo.WaitAsync(() => silo.Failover.KnownFor(configuration.Generation) >= fence, fence + world.LeaseWait))
            {
                throw new RegionUnreachableException(node.Region.Id, tenure.Region, $"the move of its grains (epoch {owner.Epoch}) is not settled yet; try again.");
            }

            world.Sim.Trace($"{node.Region.Id}: {grain} waited out the planned move of epoch {owner.Epoch:x} (generation {configuration.Generation})");
        }

        var survivors = world.RegionIds
            .Where(r => r != node.Region.Id && (!configuration.IsAway(r) || (tenure is { Planned: true, State: TenureState.Away } && r == tenure.Region)))
            .ToList();
        var fenced = tenure is not null ? FenceAsync(grain, configuration, owner, tenure.Region, survivors) : Task.FromResult<GrainOwnership?>(null);
        var reads = Task.WhenAll(survivors.Select(r =>
            world.Network.CallAsync(node.Region, world[r], $"read {grain}", n => n.Receiver.Read(grain.Id), world.Options.CallTimeout)));

        // Regions drained since: read as far as they answer.
        var drained = world.RegionIds.Where(r => r != node.Region.Id && !survivors.Contains(r) && configuration.Tenures.TryGetValue(r, out var t) && t is { State: TenureState.Away, Planned: true }).ToList();
        var drainedReads = Task.WhenAll(drained.Select(async r =>
        {
            try
            {
                return (Region: (RegionId?)r, Copy: await world.Network.CallAsync(node.Region, world[r], $"read {grain}", n => n.Receiver.Read(grain.Id), world.Options.CallTimeout));
            }
            catch (RegionUnreachableException)
            {
                return (Region: (RegionId?)null, Copy: (GeoRecord?)null);
            }
        }));
        await Task.WhenAll(fenced, reads, drainedReads);
        if (await fenced is { } moved)
        {
            silo.Ownership.Merge(grain, OwnershipTable.Empty.WithGrain(grain.Id, grain.Partition, moved));
            world.Sim.Trace($"{node.Region.Id}: {grain} not taken over under epoch {owner.Epoch:x}: {moved.Owner} holds it by a move decided before (epoch {moved.Epoch:x})");
            return false;
        }

        var copies = (await reads).Concat((await drainedReads).Select(d => d.Copy)).ToList();
        var read = survivors.Concat((await drainedReads).Where(d => d.Region is not null).Select(d => d.Region!.Value)).Append(node.Region.Id).ToHashSet();
        world.Invariants.Promoted(node.Region, grain, owner.Epoch, read,
            configuration.Tenures.Values.Where(t => t is { State: TenureState.Away, Planned: false }).Select(t => t.Region).ToHashSet());
        var local = stored?.Record;
        var newest = copies.Where(c => c is not null && c.Epoch < owner.Epoch).Aggregate(local, (a, b) => b!.IsNewerThan(a) ? b : a);
        if (newest is null || ReferenceEquals(newest, local))
        {
            world.Sim.Trace($"{node.Region.Id}: {grain} taking over under epoch {owner.Epoch:x}: own copy {Describe(local)} is the newest");
            return true;
        }

        await node.Store.ApplyReplicasAsync([new ReplicatedChange(grain.Id, newest)], node.Known);
        world.Sim.Trace($"{node.Region.Id}: {grain} taking over under epoch {owner.Epoch:x} from {Describe(newest)} gathered (had {Describe(local)})");
        return true;
    }

    // TakeoverPromotion.FenceAsync: fences the grain in this region's and every survivor's directory; returns a move that
    // one of them holds and that resolves elsewhere than this takeover, or null.
    private async Task<GrainOwnership?> FenceAsync(SimGrain grain, RegionConfiguration configuration, GrainOwnership owner, RegionId away, IReadOnlyList<RegionId> survivors)
    {
        var here = node.Directory.Fence(grain, configuration, owner, away);
        var held = await Task.WhenAll(survivors.Select(r => world.Network.CallAsync(node.Region, world[r], $"fence {grain}", n => n.Directory.Fence(grain, configuration, owner, away), world.Options.CallTimeout)).Prepend(here));
        return held.Where(h => configuration.Resolve(h, grain.Partition) != owner).MaxBy(h => h.Epoch);
    }

    private static string Describe(GeoRecord? record) => record is null ? "none" : $"{record.Epoch:x}.{record.Version}";
}
