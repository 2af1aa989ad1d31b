using GeoGrains.Calls;
using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Topology;
using GeoGrains.Runtime.Writes;

namespace GeoGrains.Runtime.Calls;

/// <summary>
/// Takes a write or a strong read to the grain's owner: runs it here in the grain's turn (<see cref="GeoWritePath"/>) when
/// this region owns the grain and holds its lease, waits for the lease or for a suspected owner's successor, and forwards
/// it otherwise.
/// </summary>
internal sealed class OwnerRouting(
    LocalRegion region,
    GeoTopology topology,
    OwnershipCache ownership,
    FailoverState failover,
    IRegionLinks links,
    GeoWritePath writes)
{
    /// <summary>
    /// Runs a call at the grain's owner: here, under the activation's write lock, if this region owns the grain, else
    /// forwarded to the owner region. A write (<paramref name="write"/>) may commit; a strong read runs the same way,
    /// ordered with the writes and hand-offs, but cannot. Returns the ownership it ran under, or <see langword="null"/>
    /// when it was forwarded.
    /// </summary>
    public async Task<GrainOwnership?> RunAtOwnerAsync(IIncomingGrainCallContext call, IGeoGrainActivation grain, GeoCallRoute route, bool write)
    {
        // A durability the call cannot have fails it before anything runs, in whichever region it arrives.
        var durability = write ? DurabilityOf(grain) : Durability.Async;

        IDisposable? queued = null;
        try
        {
            while (true)
            {
                // Route.
                var owner = await ownership.ResolveAsync(grain.GrainId, grain.Registration.Partition, route.EpochHint);
                if (owner.Owner == region.Id)
                {
                    if (!failover.HoldsLease)
                    {
                        // Still joining the other regions, or a probe late: wait for the lease, or for the grain's new owner.
                        var generation = failover.Configuration.Generation;
                        if (!await failover.WaitAsync(() => failover.HoldsLease || failover.Configuration.Generation != generation, failover.WriteLeaseWait))
                        {
                            throw new RegionLeaseLapsedException(region.Id, grain.GrainId.ToString(), mayHaveCommitted: false,
                                "a majority of regions has not confirmed its lease within the lease period");
                        }

                        continue;
                    }

                    if (await writes.RunHereAsync(call, grain, new TurnRequest(route.EpochHint, write, durability, Forwarded: route.Hops > 0, route.IdempotencyKey)) is { } ran)
                    {
                        return ran;
                    }

                    continue; // ownership moved while the call waited for the write lock
                }

                if (failover.IsUnavailable(owner.Owner))
                {
                    // The owner is suspected or being taken over: wait for the new owner rather than send the call into the void.
                    queued ??= failover.Enqueue() ?? throw new RegionUnreachableException(region.Id, owner.Owner,
                        $"it is suspected down and {failover.Options.MaxQueuedWrites} calls already wait for its grains to be taken over.");
                    var generation = failover.Configuration.Generation;
                    if (!await failover.WaitAsync(() => failover.Configuration.Generation != generation || !failover.IsUnavailable(owner.Owner), failover.Options.QueuedWriteTimeout))
                    {
                        throw new RegionUnreachableException(region.Id, owner.Owner,
                            $"it is suspected down, and no other region took over '{grain.GrainId}' within {failover.Options.QueuedWriteTimeout}; the call was not sent.");
                    }

                    continue;
                }

                await ForwardAsync(call, route, owner);
                return null;
            }
        }
        finally
        {
            queued?.Dispose();
        }
    }

    /// <summary>
    /// Forwards the call to the owner, and gives up waiting for the answer as soon as this region suspects the owner: a
    /// region that died does not answer, and the caller, told at once that the outcome is unknown, may try again, which
    /// then waits for the grain's new owner rather than for the call timeout.
    /// </summary>
    private async Task ForwardAsync(IIncomingGrainCallContext call, GeoCallRoute route, GrainOwnership owner)
    {
        if (!failover.Automatic)
        {
            await route.ForwardAsync(call, owner, links);
            return;
        }

        using var answered = new CancellationTokenSource();
        var forward = route.ForwardAsync(call, owner, links);
        var suspected = failover.WhenUnavailableAsync(owner.Owner, answered.Token);
        if (await Task.WhenAny(forward, suspected) == forward)
        {
            await answered.CancelAsync();
            await forward;
            return;
        }

        // The answer may still come (and the write may have been applied): it is no longer waited for.
        _ = forward.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        throw new RegionUnreachableException(region.Id, owner.Owner,
            $"it became suspected down while '{call.TargetId}' waited for its answer; the outcome is unknown.");
    }

    /// <summary>
    /// The durability a write asks for: the call's (<see cref="GeoCallHeaders.Write"/>), else its grain type's default.
    /// </summary>
    /// <exception cref="InvalidConsistencyException">The call's durability is malformed or more than the topology can give.</exception>
    public Durability DurabilityOf(IGeoGrainActivation grain)
    {
        if (RequestContext.Get(GeoCallHeaders.Write) is not string requested)
        {
            return grain.Registration.Writes;
        }

        var durability = Durability.Parse(requested);
        var type = grain.GetType();
        ConsistencyRules.Check(durability, type.FullName ?? type.Name, topology.RegionIds.Count());
        return durability;
    }
}
