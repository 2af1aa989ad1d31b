using GeoGrains.Configuration;
using GeoGrains.Runtime.ActiveActive;
using System.Collections.Concurrent;
using GeoGrains.Calls;
using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Reconciliation;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace GeoGrains.Runtime.Writes;

/// <summary>
/// The whole life of a write to a geo grain, in the order it happens: <b>route</b> (run here if this region owns the
/// grain, else forward it to the owner), <b>lock</b> (one write at a time per activation, without holding the
/// activation's turn, so that forwarding never deadlocks), <b>commit</b> (the new version and its outbox marker made
/// durable in one storage write, fenced by the record's ETag and epoch), <b>ship</b> (queued for every other region and
/// published on the change feed).
/// </summary>
internal sealed class GeoWritePath(
    LocalRegion region,
    IOptions<IdempotencyOptions> idempotencyOptions,
    IOptions<ReplicationOptions> replicationOptions,
    IOptions<GeoLinkOptions> linkOptions,
    GeoStore store,
    OwnershipCache ownership,
    IChangeShipping shipping,
    Outbox outbox,
    CommitsInProgress commits,
    ReplicationAcknowledgements acknowledgements,
    ChangeFeedPublisher changeFeed,
    GrainHandOff handOff,
    FailoverState failover,
    TakeoverPromotion promotion,
    OrphanReconciliation reconciliation,
    ActiveActiveResolution resolution,
    HybridLogicalClock clock,
    Serializer serializer,
    ILogger<GeoWritePath> logger)
{
    // Which activation, if any, the current call flow is writing as: a read interleaved with a write cannot write.
    private static readonly AsyncLocal<WriteTicket?> Writing = new();

    /// <summary>
    /// Hands the grain to <paramref name="newOwner"/> (a planned rehome), in the grain's turn: no write of this region
    /// commits between the hand-off's last version and the move.
    /// </summary>
    public async Task<GrainOwnership> HandOffAsync(IGeoGrainActivation grain, RegionId newOwner)
    {
        using (await grain.WriteLock.EnterAsync())
        {
            return await handOff.HandOffAsync(grain.GrainId, grain.Registration, grain.Stored?.Record, newOwner);
        }
    }

    /// <summary>
    /// Runs the call here in the grain's turn, if this region still owns the grain then, under a lease: the ownership it
    /// ran under, or <see langword="null"/> when the grain moved or the lease lapsed while it waited (route it again).
    /// </summary>
    public async Task<GrainOwnership?> RunHereAsync(IIncomingGrainCallContext call, IGeoGrainActivation grain, TurnRequest request)
    {
        // Lock.
        using (await grain.WriteLock.EnterAsync())
        {
            // Ownership may have moved while this call waited behind others or a hand-off.
            var owner = await ownership.ResolveAsync(grain.GrainId, grain.Registration.Partition, request.EpochHint);
            if (owner.Owner != region.Id || !failover.HoldsLease)
            {
                // Checked under the grain's turn: a strong read or a write that waited here may not run on a lease that
                // lapsed meanwhile (the caller waits for the lease again, or goes to the new owner).
                return null;
            }

            if (!await PrepareAsync(grain, owner))
            {
                return null;
            }

            var key = request.Write ? request.IdempotencyKey : null;
            if (key is not null && Replay(call, grain, key))
            {
                return owner;
            }

            var ticket = request.Write ? new WriteTicket(grain, owner, request.Durability, request.Forwarded, key) : null;
            Writing.Value = ticket;
            ExceptionDispatchInfo? failure = null;
            try
            {
                await call.Invoke(); // the grain's method; a write's Update calls CommitAsync
            }
            catch (Exception exception)
            {
                failure = ExceptionDispatchInfo.Capture(exception);
            }
            finally
            {
                Writing.Value = null;
            }

            if (ticket is { AppliedVersion: not null, IdempotencyKey: { } applied })
            {
                // The write is stored: its outcome, result or exception, is what every retry with the key gets.
                await SettleAsync(grain, applied, failure?.SourceException ?? call.Response?.Exception, call.Result);
            }

            failure?.Throw();
            return owner;
        }
    }

    /// <summary>
    /// Answers a retry of a keyed write the grain applied within the window with the first outcome, without running the
    /// method: its result, or the exception it threw after writing. Returns whether it did.
    /// </summary>
    /// <exception cref="IdempotentResultUnknownException">The write was applied but its outcome was never recorded.</exception>
    private bool Replay(IIncomingGrainCallContext call, IGeoGrainActivation grain, string key)
    {
        var record = grain.Stored?.Record;
        if (IdempotencyLog.Find(record?.Applied, key, clock.Now(), idempotencyOptions.Value.Window) is not { } entry)
        {
            return false;
        }

        if (entry.Outcome is null)
        {
            throw new IdempotentResultUnknownException(grain.GrainId.ToString(), key, entry.Version,
                "the region that applied it failed, or its storage did not answer, before the result was recorded");
        }

        var outcome = serializer.Deserialize<IdempotentOutcome>(entry.Outcome)
            ?? throw new InvalidDataException($"The recorded outcome of the write with idempotency key '{key}' to geo grain '{grain.GrainId}' is empty.");
        if (outcome.Exception is { } exception)
        {
            ExceptionDispatchInfo.Throw(exception);
        }

        call.Result = outcome.Result;
        return true;
    }

    /// <summary>
    /// Records a keyed write's outcome in the grain's record: the same version rewritten (a higher revision) with the
    /// outcome in its dedup section, then shipped like a version. The write itself is stored already, so a failure here
    /// does not fail the call: a retry then learns that the write was applied and its result is not known.
    /// </summary>
    private async Task SettleAsync(IGeoGrainActivation grain, string key, Exception? exception, object? result)
    {
        var id = grain.GrainId;
        try
        {
            if (grain.Stored is not { } current)
            {
                return;
            }

            var outcome = serializer.SerializeToArray(new IdempotentOutcome { Result = exception is null ? result : null, Exception = exception });
            if (IdempotencyLog.Settle(current.Record.Applied, key, outcome) is not { } settled)
            {
                return;
            }

            // The same version rewritten keeps its commit time, so no commit is in progress for safe times to wait for.
            var next = current.Record with { Applied = settled, Revision = current.Record.Revision + 1 };
            if (await CommitAnnouncedAsync(grain, next, current.ETag, keepUntilSettled: static () => static () => { }) is not { } etags)
            {
                await TryReloadAsync(grain);
                logger.LogWarning("The result of the write with idempotency key '{Key}' to geo grain '{Grain}' was not recorded: another writer changed the record.", key, id);
                return;
            }

            grain.Accept(new StoredGeoRecord(next, etags.Record));
            shipping.Ship(id, next, urgent: true);
        }
        catch (Exception failure) when (failure is RegionStorageException or CodecNotFoundException or NotSupportedException)
        {
            if (failure is not RegionStorageException)
            {
                await TryReloadAsync(grain);
            }

            logger.LogWarning(failure, "The result of the write with idempotency key '{Key}' to geo grain '{Grain}' was not recorded.", key, id);
        }
    }

    // Returns false when the grain turned out to belong elsewhere (a move the takeover respects): route the call again.
    private async Task<bool> PrepareAsync(IGeoGrainActivation grain, GrainOwnership owner)
    {
        if (grain.Stored is null || grain.Stored.Record.Epoch != owner.Epoch)
        {
            // First call under this ownership (the activation may have been a replica): continue from what is stored,
            // and after a takeover from the freshest copy among the surviving regions.
            await grain.ReloadAsync();
            if (promotion.IsNeeded(grain.Stored, owner))
            {
                return await promotion.GatherAsync(grain, owner);
            }
        }

        return true;
    }

    /// <summary>
    /// Commits a change of <paramref name="grain"/>'s state, made by the write call running now, and ships it. A
    /// <see cref="ReplicationMode.SemiSync"/> or <see cref="ReplicationMode.Sync"/> write then waits, still holding the
    /// grain's write lock (so no later version is acknowledged before it), until enough other regions applied it.
    /// </summary>
    /// <exception cref="ReplicationIncompleteException">Too few regions applied it in time; it stays committed and keeps shipping.</exception>
    public Task CommitAsync<TState>(IGeoGrainActivation<TState> grain, Func<TState, TState> change)
        where TState : class
    {
        var ticket = Writing.Value is { } t && ReferenceEquals(t.Grain, grain) ? t : throw new InvalidOperationException(
            $"{grain.GetType().Name}.Update was called outside a write. Methods marked [ReadOnly] run on replicas and cannot change state.");
        return ticket.Grain.Registration.Attribute.Writers == GeoWriters.AnyRegion
            ? CommitHereAsync(grain, ticket, change)
            : CommitAsync(grain, ticket, change, alongside: null);
    }

    /// <summary>
    /// Commits as <see cref="CommitAsync{TState}(IGeoGrainActivation{TState}, Func{TState, TState})"/> does, under <paramref name="ticket"/>;
    /// <paramref name="alongside"/>, given the stored version the change was made to and the version to commit, names a row
    /// of the grain's partition written in the same atomic batch (having written, first, whatever must be durable before it).
    /// </summary>
    private async Task CommitAsync<TState>(
        IGeoGrainActivation<TState> grain, WriteTicket ticket, Func<TState, TState> change, Func<StoredGeoRecord?, GeoRecord, Task<TableWrite>>? alongside)
        where TState : class
    {
        var activation = ticket.Grain;
        var id = activation.GrainId;

        for (var attempt = 1; ; attempt++)
        {
            var current = activation.Stored;
            if (current is not null && current.Record.Epoch > ticket.Ownership.Epoch)
            {
                throw Fenced(id, current.Record, ticket.Ownership);
            }

            if (!failover.HoldsLease)
            {
                throw new RegionLeaseLapsedException(region.Id, id.ToString(), mayHaveCommitted: false, "its lease lapsed before the write was stored");
            }

            // A configuration change (takeover, drain, restore, failback, rehome) since the call resolved its owner fences
            // it here, before anything is stored.
            if (await MovedSinceAsync(activation, ticket.Ownership) is { } now)
            {
                throw new OwnershipMovedException(id.ToString(), region.Id, now);
            }

            if (ticket is { IdempotencyKey: { } key, AppliedVersion: null }
                && IdempotencyLog.Find(current?.Record.Applied, key, clock.Now(), idempotencyOptions.Value.Window) is { } applied)
            {
                // Another activation applied the key while this one held a stale copy (the reload below found it).
                throw new IdempotentResultUnknownException(id.ToString(), key, applied.Version, "another attempt with the key was applied meanwhile");
            }

            var state = change(grain.CurrentState) ?? throw new InvalidOperationException($"{grain.GetType().Name}.Update: the change returned null.");

            // The commit time is taken from the silo's commits in progress, listed until this iteration ends (after Ship)
            // or, if storage leaves the commit in doubt, until the outbox settles it: no replica's safe time passes it unapplied.
            using var inProgress = commits.Begin();
            var (baseEpoch, baseVersion) = Lineage.BaseOf(current?.Record, ticket.Ownership.Epoch);
            var version = (current?.Record.Version ?? 0) + 1;
            var idempotency = idempotencyOptions.Value;
            var next = new GeoRecord(
                version, ticket.Ownership.Epoch, inProgress.At, region.Id, GeoStateSerializer.Serialize(state), baseEpoch, baseVersion,
                IdempotencyLog.Commit(current?.Record.Applied, ticket.IdempotencyKey, version, inProgress.At, idempotency.Window, idempotency.MaxEntriesPerGrain));

            // A row to commit alongside is made (and what must be durable before it written) before the commit begins:
            // a failure there leaves nothing in doubt.
            var extra = alongside is null ? null : await alongside(current, next);

            if (!await StoreAndShipAsync(grain, ticket, current, next, state, inProgress, extra))
            {
                // Someone else wrote the row: a stale copy here (a missed replica notice) is caught up and the change
                // applied to the latest version; a newer epoch means another region owns the grain now, and nothing is written.
                await activation.ReloadAsync();
                if (attempt == 1)
                {
                    continue;
                }

                throw Fenced(id, activation.Stored?.Record, ticket.Ownership);
            }

            return;
        }
    }

    /// <summary>
    /// The tail every commit shares, the owner's and an active-active region's: stores <paramref name="next"/> with its
    /// outbox marker (and <paramref name="alongside"/>) in one write fenced by <paramref name="current"/>'s ETag, hands it
    /// to the activation, ships it (the acknowledgements its durability waits for expected first, so that none can come
    /// before it) and waits for them. An owner's write is also fenced by its lease and epoch after the store and after the
    /// acknowledgements. Returns <see langword="false"/>, storing nothing, when another writer changed the record.
    /// </summary>
    private async Task<bool> StoreAndShipAsync<TState>(
        IGeoGrainActivation<TState> grain, WriteTicket ticket, StoredGeoRecord? current, GeoRecord next, TState state, CommitInProgress inProgress, TableWrite? alongside = null)
        where TState : class
    {
        var id = grain.GrainId;
        if (await CommitAnnouncedAsync(grain, next, current?.ETag, inProgress.KeepUntilSettled, alongside) is not { } etags)
        {
            return false;
        }

        grain.Accept(new StoredGeoRecord(next, etags.Record), state);
        ticket.AppliedVersion ??= next.Version;
        using var waiter = Ship(id, next, ticket.Durability);

        // Queued to ship: replicas' safe times may pass this commit now, and must, while it waits for them.
        inProgress.Dispose();

        if (ticket.Owned)
        {
            // A write stored after the lease lapsed may have been overtaken by a new owner's: never acknowledge it.
            if (!failover.HoldsLease)
            {
                throw new RegionLeaseLapsedException(region.Id, id.ToString(), mayHaveCommitted: true, "its lease lapsed while the write was stored");
            }

            failover.Committed(next.Epoch);
        }

        if (waiter is not null)
        {
            await waiter.WaitAsync(AcknowledgementWait(ticket.Durability, ticket.Forwarded));
            if (ticket.Owned)
            {
                await FenceAcknowledgementAsync(grain, ticket.Ownership, next, waiter);
            }
        }

        return true;
    }

    // The grain's ownership now, from the silo's copy of the directory and configuration, if it is no longer this region's
    // under the epoch the write runs with; else null.
    private async Task<GrainOwnership?> MovedSinceAsync(IGeoGrainActivation grain, GrainOwnership runsUnder) =>
        await ownership.ResolveAsync(grain.GrainId, grain.Registration.Partition) is var now && (now.Owner != region.Id || now.Epoch != runsUnder.Epoch) ? now : null;

    /// <summary>
    /// Checks, once the last acknowledgement a write waited for has arrived, that they still promise what they did when
    /// they were counted: this region holds its lease and owns the grain under the epoch it wrote with (so no takeover
    /// could have promoted a copy without the write since), and none of the regions counted is away now (a promotion
    /// would not read it).
    /// </summary>
    /// <exception cref="OwnershipLostException">One of them no longer holds; the write is not acknowledged.</exception>
    private async Task FenceAcknowledgementAsync(IGeoGrainActivation grain, GrainOwnership wroteUnder, GeoRecord written, ReplicationAcknowledgements.Waiter waiter)
    {
        string? lost = null;
        if (!failover.HoldsLease)
        {
            lost = "its lease lapsed while the write waited";
        }
        else if (await MovedSinceAsync(grain, wroteUnder) is { } now)
        {
            lost = $"region '{now.Owner}' owns it now, under epoch {now.Epoch}";
        }
        else if (waiter.Counted.Where(failover.Configuration.IsAway).ToList() is { Count: > 0 } away)
        {
            lost = $"{string.Join(", ", away)}, which applied it, {(away.Count == 1 ? "is" : "are")} away now and would not be read by a takeover";
        }

        if (lost is not null)
        {
            throw new OwnershipLostException(grain.GrainId.ToString(), region.Id, written.Epoch, written.Version, lost);
        }
    }

    /// <summary>
    /// Runs a write to an active-active grain here, whatever region this is: no routing, no lease, no ownership check;
    /// one write at a time per activation, under its write lock, like an owner's. Keyed (idempotent) retries are not
    /// deduplicated for active-active grains. Returns the "ownership" the write ran under: this region, epoch 0.
    /// </summary>
    public async Task<GrainOwnership> RunHereAnywayAsync(IIncomingGrainCallContext call, IGeoGrainActivation grain, Durability durability)
    {
        var here = new GrainOwnership(region.Id, 0);
        using (await grain.WriteLock.EnterAsync())
        {
            Writing.Value = new WriteTicket(grain, here, durability, Forwarded: false);
            try
            {
                await call.Invoke(); // the grain's method; a write's Update calls CommitHereAsync
            }
            finally
            {
                Writing.Value = null;
            }

            return here;
        }
    }

    /// <summary>
    /// Commits a local write of an active-active grain: the next version of this region in the grain's vector, stored
    /// with its outbox marker in one atomic write (fenced by the ETag against the replication receiver, which may store
    /// a version meanwhile: then the change is made again to that one), shipped to every region, and for
    /// <see cref="ReplicationMode.SemiSync"/>/<see cref="ReplicationMode.Sync"/> waited for as an owner's write is.
    /// </summary>
    private async Task CommitHereAsync<TState>(IGeoGrainActivation<TState> grain, WriteTicket ticket, Func<TState, TState> change)
        where TState : class
    {
        const int attempts = 10;
        var activation = ticket.Grain;
        var id = activation.GrainId;
        for (var attempt = 1; ; attempt++)
        {
            var current = activation.Stored;
            var state = change(grain.CurrentState) ?? throw new InvalidOperationException($"{grain.GetType().Name}.Update: the change returned null.");
            using var inProgress = commits.Begin();
            var next = ActiveActive.ActiveActiveVersions.Commit(current?.Record, region.Id, inProgress.At, GeoStateSerializer.Serialize(state));
            if (!await StoreAndShipAsync(grain, ticket, current, next, state, inProgress))
            {
                await activation.ReloadAsync();
                if (attempt < attempts)
                {
                    continue;
                }

                throw new InconsistentStateException(
                    $"Active-active geo grain '{id}' in region '{region.Id}': the stored version changed under each of {attempts} attempts to write; the write was not applied.",
                    activation.Stored?.Record.Version.ToString(), null, null);
            }

            return;
        }
    }

    /// <summary>
    /// Takes a replicated version of an active-active grain into this region's stored one, in the grain's turn
    /// (<see cref="ActiveActiveResolution"/>). Decided again from what is stored: a version seen already is ignored, a later one stored
    /// as it is, and a concurrent one resolved by the grain's policy (<paramref name="merge"/>, given the later state
    /// first) and stored with the merged vector, in one atomic write with its conflict record, which is then published.
    /// A version that arrived as a delta (<paramref name="deltaBase"/>) is joined into the stored state first; the
    /// conflict record shows the delta as the remote state (<see cref="ConflictVersion.IsDelta"/>). Returns
    /// <see langword="false"/>, doing nothing, when the stored version has not seen the delta's base.
    /// </summary>
    public async Task<bool> ResolveAsync<TState>(IGeoGrainActivation<TState> grain, GeoRecord incoming, Crdts.VersionVector? deltaBase, Func<TState, TState, TState> merge)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(merge);
        Func<byte[], byte[], byte[]>? mergeStates = grain.Registration.Attribute.Conflicts == ConflictPolicy.LastWriterWins ? null : (later, earlier) =>
            GeoStateSerializer.Serialize(merge(GeoStateSerializer.Deserialize<TState>(later), GeoStateSerializer.Deserialize<TState>(earlier)));
        using (await grain.WriteLock.EnterAsync())
        {
            return await resolution.ResolveAsync(grain.GrainId, grain.Registration.Attribute.Conflicts, incoming, deltaBase, mergeStates, async () =>
            {
                await grain.ReloadAsync();
                return grain.Stored;
            }, stored => grain.Accept(stored, null));
        }
    }

    /// <summary>
    /// Reconciles <paramref name="orphaned"/>, a version of an older epoch the grain's current lineage never saw, at the
    /// grain's owner, in the grain's turn (<see cref="OrphanReconciliation"/>). Runs <paramref name="hook"/> on the current and the
    /// orphaned state: a state it returns is committed as a new version (shipped like any write) in the same atomic
    /// write as the record; otherwise (null, or it threw) the current state stays and only the record is written. A
    /// version that is not an orphan here changes nothing; one recorded before returns its record.
    /// </summary>
    /// <exception cref="OwnershipMovedException">This region does not own the grain.</exception>
    /// <exception cref="RegionLeaseLapsedException">This region holds no lease.</exception>
    public async Task<ReconciliationRecord?> ReconcileAsync<TState>(IGeoGrainActivation<TState> grain, GeoGrainVersion orphaned, Func<TState, TState, TState?> hook)
        where TState : class
    {
        using (await grain.WriteLock.EnterAsync())
        {
            return await ReconcileHereAsync(grain, orphaned, hook);
        }
    }

    private async Task<ReconciliationRecord?> ReconcileHereAsync<TState>(IGeoGrainActivation<TState> grain, GeoGrainVersion orphaned, Func<TState, TState, TState?> hook)
        where TState : class
    {
        IGeoGrainActivation activation = grain;
        var id = activation.GrainId;
        var owner = await ownership.ResolveAsync(id, activation.Registration.Partition);
        if (owner.Owner != region.Id)
        {
            throw new OwnershipMovedException(id.ToString(), region.Id, owner);
        }

        if (!failover.HoldsLease)
        {
            throw new RegionLeaseLapsedException(region.Id, id.ToString(), mayHaveCommitted: false, "it holds no lease to reconcile an orphaned version with");
        }

        if (!await PrepareAsync(activation, owner))
        {
            throw new OwnershipMovedException(id.ToString(), region.Id, await ownership.ResolveAsync(id, activation.Registration.Partition));
        }

        var ticket = new WriteTicket(activation, owner, Durability.Async, Forwarded: false);
        return await reconciliation.ReconcileAsync(id, activation.Stored, () => grain.CurrentState, orphaned, hook, (change, alongside) => CommitAsync(grain, ticket, change, alongside));
    }

    /// <summary>
    /// Ships a version just committed (and publishes it on the change feed): the acknowledgements its durability waits
    /// for are expected before it leaves, so that none can come first. Returns the waiter, or null for <c>Async</c>.
    /// </summary>
    private ReplicationAcknowledgements.Waiter? Ship(GrainId id, GeoRecord next, Durability durability)
    {
        // Only a region a takeover's promotion would read counts: a member, not away (taken over, drained, not failed back).
        var configuration = failover.Configuration;
        var eligible = durability.Mode == ReplicationMode.Async ? [] : shipping.Targets.Where(t => !configuration.IsAway(t)).ToList();
        var waiter = durability.Mode switch
        {
            ReplicationMode.SemiSync => acknowledgements.Expect(id, next, durability.Regions, eligible),
            ReplicationMode.Sync => acknowledgements.Expect(id, next, eligible.Count, eligible),
            _ => null,
        };
        shipping.Ship(id, next, urgent: waiter is not null);
        changeFeed.Publish(id, next);

        return waiter;
    }

    // How long a write waits for other regions to apply it. A write forwarded from another region is also waited for
    // there, for at most the link's call timeout: the owner gives up first (at four fifths of it), so that the caller
    // learns which regions applied the write rather than only that the forwarded call timed out.
    private TimeSpan AcknowledgementWait(Durability durability, bool forwarded)
    {
        var wait = durability.Timeout ?? replicationOptions.Value.AcknowledgementTimeout;
        return forwarded ? TimeSpan.FromTicks(Math.Min(wait.Ticks, linkOptions.Value.CallTimeout.Ticks * 4 / 5)) : wait;
    }

    /// <summary>
    /// Commits <paramref name="next"/> (with <paramref name="alongside"/>) and, unless the activation's outbox marker still
    /// announces the grain, its marker, in one write fenced by <paramref name="expectedETag"/>. Returns the new ETags, or
    /// <see langword="null"/> when another writer changed the record. When storage gives no answer the version may be
    /// stored: the outbox looks for it and ships it if so (and only then runs what <paramref name="keepUntilSettled"/>
    /// returns), and the activation reloads before its next write, so a version stored unacknowledged is not left behind.
    /// </summary>
    private async Task<(string Record, string? Marker)?> CommitAnnouncedAsync(
        IGeoGrainActivation activation, GeoRecord next, string? expectedETag, Func<Action> keepUntilSettled, TableWrite? alongside = null)
    {
        var id = activation.GrainId;
        var useMarker = outbox.BeginCommit(id, activation);
        var marker = useMarker ? null : shipping.MarkerFor(next);
        (string Record, string? Marker)? written = null;
        try
        {
            written = await store.TryCommitAsync(id, next, expectedETag, marker, alongside);
            return written;
        }
        catch (RegionStorageException)
        {
            outbox.Doubt(id, keepUntilSettled());
            await TryReloadAsync(activation);
            throw;
        }
        finally
        {
            outbox.EndCommit(id, activation, useMarker, written is null ? null : next, written?.Marker);
        }
    }

    private static async Task TryReloadAsync(IGeoGrainActivation activation)
    {
        try
        {
            await activation.ReloadAsync();
        }
        catch (RegionStorageException)
        {
            // The next write's ETag check catches a stale copy.
        }
    }

    private InconsistentStateException Fenced(GrainId grain, GeoRecord? stored, GrainOwnership ownership) => new(
        $"Geo grain '{grain}' in region '{region.Id}': the stored version ({stored?.Epoch}.{stored?.Version}) was written by another " +
        $"owner than this activation (epoch {ownership.Epoch}); the write was not applied.",
        stored?.Version.ToString(),
        null,
        null);

    /// <summary>
    /// The write running in the current call flow. <see cref="AppliedVersion"/> is set by its first stored version: from
    /// then on the write is applied, whatever the method does next.
    /// </summary>
    private sealed record WriteTicket(IGeoGrainActivation Grain, GrainOwnership Ownership, Durability Durability, bool Forwarded, string? IdempotencyKey = null)
    {
        public long? AppliedVersion { get; set; }

        /// <summary>Whether the write runs at the grain's owner under its lease and epoch (not an active-active grain's local write).</summary>
        public bool Owned => Grain.Registration.Attribute.Writers != GeoWriters.AnyRegion;
    }
}
