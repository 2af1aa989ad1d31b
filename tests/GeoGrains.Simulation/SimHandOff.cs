using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Simulation;

/// <summary>
/// Mirrors a rehome at the grain's owner: <see cref="HandOff"/> ↔ <c>GeoGrain&lt;TState&gt;.IGeoGrainControl.HandOff</c>
/// (src/GeoGrains.Runtime/GeoGrain.cs: under the activation's write lock) and <see cref="HandOffAsync"/> ↔
/// <c>GrainHandOff.HandOffAsync</c> (src/GeoGrains.Runtime/Writes/GrainHandOff.cs) line by line: resolve, lease check,
/// a new owner that is away refused,
/// epoch max(resolved, stored) + 1, the latest version applied at the new owner (the receiver's <c>Apply</c>), this
/// silo and this region's directory (stepped down), the new owner's directory <c>Merge</c> (a lost answer: in doubt;
/// an answer holding another owner: a fence, learn it and fail typed), then the other regions' directories. The activation's
/// <c>Stored</c> is read from the store (the ETag fence makes them the same). Left out: the batch codec (the change
/// travels as an object) and logging. If GrainHandOff changes, change this file the same way.
/// </summary>
internal sealed class SimHandOff(SimWorld world, SimNode node, SimSilo silo)
{
    private readonly HashSet<GrainId> _handingOff = [];

    private RegionId Self => node.Region.Id;

    /// <summary>Whether a hand-off of <paramref name="grain"/> holds its write lock here (no write of it can run meanwhile).</summary>
    public bool IsHandingOff(SimGrain grain) => _handingOff.Contains(grain.Id);

    // IGeoGrainControl.HandOff.
    public async Task<GrainOwnership> HandOff(SimGrain grain, RegionId newOwner)
    {
        var writeLock = silo.Writer.LockOf(grain);
        await writeLock.WaitAsync();
        _handingOff.Add(grain.Id);
        try
        {
            return await HandOffAsync(grain, newOwner);
        }
        finally
        {
            _handingOff.Remove(grain.Id);
            writeLock.Release();
        }
    }

    // GrainHandOff.HandOffAsync.
    private async Task<GrainOwnership> HandOffAsync(SimGrain grain, RegionId newOwner)
    {
        var latest = (await node.Store.ReadAsync(grain.Id))?.Record; // activation.Stored
        var current = silo.Ownership.Resolve(grain);
        if (current.Owner != Self)
        {
            throw new OwnershipMovedException(grain.Id.ToString(), Self, current);
        }

        if (newOwner == Self)
        {
            return current;
        }

        if (!silo.Failover.HoldsLease)
        {
            throw new RegionLeaseLapsedException(Self, grain.Id.ToString(), mayHaveCommitted: false, "it holds no lease to move the grain with");
        }

        if (silo.Failover.Configuration.IsAway(newOwner))
        {
            throw new RegionUnreachableException(Self, newOwner, "it is away (drained, or taken over after it failed); it takes no grains until it returns.");
        }

        var next = new GrainOwnership(newOwner, Math.Max(current.Epoch, latest?.Epoch ?? 0) + 1);
        var change = OwnershipTable.Empty.WithGrain(grain.Id, grain.Partition, next);

        // The new owner gets the latest version before it is told it owns the grain, so it continues from there.
        if (latest is not null)
        {
            await world.Network.CallAsync(node.Region, world[newOwner], $"hand-off copy {grain}", n => n.Receiver.Apply([new ReplicatedChange(grain.Id, latest)]), world.Options.CallTimeout);
        }

        // Step down first: this region's directory, before the new owner can take the grain; this silo's copy once it answered.
        var recorded = await node.Directory.Merge(change);
        if (recorded.Resolve(grain.Id, grain.Partition) is var mine && mine != next)
        {
            silo.Ownership.Merge(grain, recorded);
            throw new OwnershipMovedException(grain.Id.ToString(), Self, mine);
        }

        OwnershipTable taken;
        try
        {
            taken = await world.Network.CallAsync(node.Region, world[newOwner], $"hand-off merge {grain}", n => n.Directory.Merge(change), world.Options.CallTimeout);
        }
        catch (RegionUnreachableException exception)
        {
            // The new owner may have taken ownership and only the reply was lost; this region has stepped down already.
            world.Sim.Trace($"{Self}: hand-off of {grain} to {newOwner} under epoch {next.Epoch:x} in doubt; stepped down");
            throw new RegionUnreachableException(Self, newOwner,
                $"the move of '{grain.Id}' is in doubt ({exception.Message}); region '{Self}' has stepped down and the move completes when the regions reconnect.");
        }
        finally
        {
            silo.Ownership.Merge(grain, recorded);
        }

        if (taken.Resolve(grain.Id, grain.Partition) is var held && held != next)
        {
            // A takeover fenced the grain at the new owner first: this region lost it, and learns so.
            silo.Ownership.Merge(grain, taken);
            await node.Directory.Merge(taken);
            throw new OwnershipMovedException(grain.Id.ToString(), Self, held);
        }

        // The other regions learn now if they can; until then anti-entropy brings it.
        foreach (var other in world.RegionIds.Where(r => r != Self && r != newOwner))
        {
            try
            {
                await world.Network.CallAsync(node.Region, world[other], $"hand-off merge {grain}", n => n.Directory.Merge(change), world.Options.CallTimeout);
            }
            catch (RegionUnreachableException)
            {
                world.Sim.Trace($"{Self}: {other} did not learn that {grain} moved to {newOwner}");
            }
        }

        world.Sim.Trace($"{Self}: {grain} moved to {newOwner} under epoch {next.Epoch:x}");
        return next;
    }
}
