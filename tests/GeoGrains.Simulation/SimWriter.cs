using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Simulation;

/// <summary>
/// The owner's write path: mirrors <c>GeoWritePath</c> (src/GeoGrains.Runtime/Writes/GeoWritePath.cs) and <c>OwnerRouting</c> (src/GeoGrains.Runtime/Calls/OwnerRouting.cs):
/// <see cref="WriteAsync"/> ↔ <c>RunAtOwnerAsync</c> (route, lease wait), <see cref="RunHereAsync"/> ↔ <c>RunHereAsync</c>
/// (write lock, ownership re-check) + <c>PrepareAsync</c> (reload, takeover promotion), <see cref="CommitAsync"/> ↔
/// <c>CommitAsync&lt;TState&gt;(grain, ticket, change, alongside)</c> (fence, lease check, next record with
/// <see cref="Lineage.BaseOf"/>, ETag-fenced commit, ship, lease re-check, acknowledgement wait), <see cref="Ship"/> ↔
/// <c>Ship</c> (the waiter: <see cref="ReplicationAcknowledgements.Expect"/>), <see cref="AcknowledgementWait"/> ↔
/// <c>AcknowledgementWait</c>. Left out: forwarding (a region that does not own the grain answers
/// <see cref="WriteOutcome.NotOwner"/> and the client goes there), idempotency keys, the change feed, commits in progress
/// (safe times) and <c>alongside</c> rows; the activation's cached copy (<c>activation.Stored</c>) is read from the store
/// each time, which is what the ETag fence makes it equivalent to. The state is the list of write values, so that the
/// checker sees which writes a version contains. One per silo (<see cref="SimSilo"/>): the grain's activation is on that
/// silo, and checks that silo's lease copy and configuration (<c>FailoverState</c>). If GeoWritePath changes, change this
/// file the same way.
/// </summary>
internal sealed class SimWriter(SimWorld world, SimNode node, SimSilo silo)
{
    // IGeoGrainActivation.WriteLock: one write at a time per grain, per silo incarnation (a crash loses it, as it does activations).
    private readonly Dictionary<GrainId, SemaphoreSlim> _locks = [];

    private RegionId Self => node.Region.Id;

    public SimRegion Region => node.Region;

    /// <summary>OwnershipCache.ResolveAsync as a silo routes: the directory's owner (an override, else the home partition), then the configuration's tenures.</summary>
    public GrainOwnership OwnerOf(SimGrain grain) => silo.Ownership.Resolve(grain);

    /// <summary>IGeoGrainActivation.WriteLock: taken by writes and by a hand-off.</summary>
    public SemaphoreSlim LockOf(SimGrain grain)
    {
        if (!_locks.TryGetValue(grain.Id, out var writeLock))
        {
            _locks[grain.Id] = writeLock = new SemaphoreSlim(1, 1);
        }

        return writeLock;
    }

    // OwnerRouting.RunAtOwnerAsync.
    public async Task<WriteOutcome> WriteAsync(SimGrain grain, string value, SimDurability durability)
    {
        while (true)
        {
            // Route.
            var owner = OwnerOf(grain);
            if (owner.Owner != Self)
            {
                return WriteOutcome.NotOwner(owner.Owner);
            }

            if (!silo.Failover.HoldsLease)
            {
                // Still joining the other regions, or a probe late: wait for the lease, or for the grain's new owner.
                var generation = silo.Failover.Configuration.Generation;
                if (!await WaitAsync(() => silo.Failover.HoldsLease || silo.Failover.Configuration.Generation != generation, world.LeaseWait))
                {
                    return WriteOutcome.Fail("RegionLeaseLapsed (mayHaveCommitted: false): no lease within the lease wait");
                }

                continue;
            }

            if (await RunHereAsync(grain, value, durability) is { } ran)
            {
                return ran;
            }

            // ownership moved while the call waited for the write lock
        }
    }

    // GeoWritePath.RunHereAsync + PrepareAsync.
    private async Task<WriteOutcome?> RunHereAsync(SimGrain grain, string value, SimDurability durability)
    {
        var writeLock = LockOf(grain);
        await writeLock.WaitAsync();
        try
        {
            // Ownership may have moved while this call waited behind others; the lease is checked under the grain's turn.
            var owner = OwnerOf(grain);
            if (owner.Owner != Self || !silo.Failover.HoldsLease)
            {
                return null;
            }

            // PrepareAsync: first call under this ownership: continue from what is stored, and after a takeover from the
            // freshest copy among the surviving regions.
            var stored = await node.Store.ReadAsync(grain.Id);
            if (stored is null || stored.Record.Epoch != owner.Epoch)
            {
                if (silo.Promotion.IsNeeded(stored, owner))
                {
                    try
                    {
                        if (!await silo.Promotion.GatherAsync(grain, stored, owner))
                        {
                            return null; // a move the takeover respects: route again
                        }
                    }
                    catch (RegionUnreachableException exception)
                    {
                        return WriteOutcome.Fail($"RegionUnreachable in promotion: {exception.Message}");
                    }
                }
            }

            return await CommitAsync(grain, owner, value, durability);
        }
        finally
        {
            writeLock.Release();
        }
    }

    // GeoWritePath.CommitAsync<TState>(grain, ticket, change, alongside).
    private async Task<WriteOutcome> CommitAsync(SimGrain grain, GrainOwnership owner, string value, SimDurability durability)
    {
        var id = grain.Id;
        for (var attempt = 1; ; attempt++)
        {
            var current = await node.Store.ReadAsync(id); // activation.Stored
            if (current is not null && current.Record.Epoch > owner.Epoch)
            {
                return Fenced(current.Record, owner);
            }

            if (!silo.Failover.HoldsLease)
            {
                return WriteOutcome.Fail("RegionLeaseLapsed (mayHaveCommitted: false): its lease lapsed before the write was stored");
            }

            // A configuration change since the call resolved its owner fences it before anything is stored.
            if (OwnerOf(grain) is var now && (now.Owner != Self || now.Epoch != owner.Epoch))
            {
                return WriteOutcome.Fail($"OwnershipMoved: {now.Owner} owns it under epoch {now.Epoch:x}");
            }

            var state = SimState.Append(current?.Record.State, value);
            var (baseEpoch, baseVersion) = Lineage.BaseOf(current?.Record, owner.Epoch);
            var version = (current?.Record.Version ?? 0) + 1;
            var next = new GeoRecord(version, owner.Epoch, node.Clock.Now(), Self, state, baseEpoch, baseVersion);

            if (await node.Store.TryCommitAsync(id, next, current?.ETag, marker: null) is null)
            {
                // Someone else wrote the row: a stale copy is caught up and the change applied to the latest version.
                if (attempt == 1)
                {
                    continue;
                }

                return Fenced((await node.Store.ReadAsync(id))?.Record, owner);
            }

            world.Sim.Trace($"{Self}: {grain} committed {value} as {next.Epoch:x}.{next.Version} ({durability})");

            // Ship, waiting for the acknowledgements first so that none can come before it.
            var shippedUnder = silo.Failover.Configuration;
            using var waiter = Ship(id, next, durability);

            // A write stored after the lease lapsed may have been overtaken by a new owner's: never acknowledge it.
            if (!silo.Failover.HoldsLease)
            {
                return WriteOutcome.Info("RegionLeaseLapsed (mayHaveCommitted: true): its lease lapsed while the write was stored");
            }

            if (waiter is not null)
            {
                try
                {
                    await WaitForAcknowledgementsAsync(waiter, AcknowledgementWait(durability));
                }
                catch (ReplicationIncompleteException exception)
                {
                    return WriteOutcome.Info($"ReplicationIncomplete: {exception.Message}");
                }
                catch (OwnershipLostException exception)
                {
                    return WriteOutcome.Info($"OwnershipLost: {exception.Message}");
                }

                // GeoWritePath.FenceAcknowledgementAsync: the acknowledgements still promise what they did when counted.
                if (FenceAcknowledgement(grain, owner, waiter) is { } lost)
                {
                    return WriteOutcome.Info($"OwnershipLost: {lost}");
                }
            }

            // The checker's own view of who holds the write: not what the write path decided, but the counted regions that
            // were members and not away when it shipped.
            var holders = (waiter?.Counted ?? []).Where(r => !shippedUnder.IsAway(r)).Append(Self).ToHashSet();
            world.Invariants.Acknowledged(node.Region, grain, next, value, durability, holders, waiter?.Required ?? 0);
            return WriteOutcome.Ok(next.Epoch, next.Version);
        }
    }

    // GeoWritePath.FenceAcknowledgementAsync: why the write may not be acknowledged, or null.
    private string? FenceAcknowledgement(SimGrain grain, GrainOwnership wroteUnder, ReplicationAcknowledgements.Waiter waiter)
    {
        if (!silo.Failover.HoldsLease)
        {
            return "its lease lapsed while the write waited";
        }

        if (OwnerOf(grain) is var now && (now.Owner != Self || now.Epoch != wroteUnder.Epoch))
        {
            return $"{now.Owner} owns it now, under epoch {now.Epoch:x}";
        }

        var away = waiter.Counted.Where(silo.Failover.Configuration.IsAway).ToList();
        return away.Count > 0 ? $"{string.Join(", ", away)} applied it and is away now" : null;
    }

    // GeoWritePath.Ship: the waiter is made before the version ships, so that no acknowledgement can come first; only
    // regions a takeover's promotion would read (members, not away) count.
    private ReplicationAcknowledgements.Waiter? Ship(GrainId id, GeoRecord next, SimDurability durability)
    {
        var configuration = silo.Failover.Configuration;
        var eligible = node.Targets.Where(t => !configuration.IsAway(t)).ToList();
        var waiter = durability.Mode switch
        {
            ReplicationMode.SemiSync => node.Acknowledgements.Expect(id, next, durability.Regions, eligible),
            ReplicationMode.Sync => node.Acknowledgements.Expect(id, next, eligible.Count, eligible),
            _ => null,
        };

        // GeoReplication.Ship: queued for every other region.
        foreach (var shipper in node.Shippers.Values)
        {
            shipper.Ship(id, next);
        }

        return waiter;
    }

    /// <summary>
    /// ReplicationAcknowledgements.Waiter.WaitAsync, with its timeout on the simulator's clock: the real one wraps
    /// <c>Done</c> (which runs continuations asynchronously) in <c>Task.WaitAsync</c>, whose completion action the runtime
    /// then queues to the thread pool, which would break replay. Same outcome: done, or ReplicationIncompleteException
    /// naming the regions that applied it and those that did not; an exception set on <c>Done</c> passes through.
    /// </summary>
    private async Task WaitForAcknowledgementsAsync(ReplicationAcknowledgements.Waiter waiter, TimeSpan timeout)
    {
        var time = node.Region.Time;
        var started = time.GetTimestamp();
        var done = Awaited(waiter.Done.Task);
        if (await Task.WhenAny(done, Task.Delay(timeout, time)) != done)
        {
            throw waiter.Incomplete(time.GetElapsedTime(started));
        }

        await done;

        // A plain await posts its continuation to this context from the completing thread (the simulation's).
        static async Task Awaited(Task task) => await task;
    }

    // GeoWritePath.AcknowledgementWait (writes are not forwarded here).
    private static TimeSpan AcknowledgementWait(SimDurability durability) => durability.Timeout;

    private static WriteOutcome Fenced(GeoRecord? stored, GrainOwnership owner) =>
        WriteOutcome.Fail($"Fenced: stored {stored?.Epoch:x}.{stored?.Version} was written by another owner than epoch {owner.Epoch:x}");

    // FailoverState.WaitAsync, on this silo's copy.
    private Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout) => silo.WaitAsync(condition, timeout);
}
