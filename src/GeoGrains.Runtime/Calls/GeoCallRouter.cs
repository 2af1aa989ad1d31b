using GeoGrains.Configuration;
using GeoGrains.Runtime.ActiveActive;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using GeoGrains.Runtime.Writes;
using System.Collections.Concurrent;
using System.Reflection;
using GeoGrains.Calls;
using GeoGrains.Runtime.Replication;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using ReadLevel = GeoGrains.Consistency;

namespace GeoGrains.Runtime.Calls;

/// <summary>
/// Sorts every call to a geo grain. A write takes the <see cref="GeoWritePath"/> (run at the owner). A <c>[ReadOnly]</c>
/// call is served where its read level allows: <see cref="ReadConsistency.Eventual"/> by the local activation (a replica
/// outside the owner region); <see cref="ReadConsistency.Strong"/> by the owner, ordered with its writes;
/// <see cref="ReadConsistency.BoundedStaleness"/> and <see cref="ReadConsistency.Session"/> locally when the replica is
/// provably fresh enough, else by the owner. When the caller asked (it runs GeoGrains' call filter), the response carries
/// what served the call (<see cref="GeoCallInfo"/>), with the caller's session token brought up to date.
/// </summary>
internal sealed class GeoCallRouter(
    GeoWritePath writes, OwnerRouting owners, OwnershipCache ownership, IRegionLinks links, LocalRegion region, SessionTokenCodec tokens, ReplicaFreshness freshness, IOptions<ConsistencyOptions> options) : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<MethodInfo, bool> ReadOnlyMethods = new();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        // Only the grain's own interfaces are routed: IGeoGrainControl is answered where it arrives, and runtime calls
        // (extensions, management) are none of the router's business. The request names the interface that declares
        // the method (a base interface for an inherited method), which the grain class implements like its own.
        if (context.Grain is not IGeoGrainActivation grain)
        {
            await context.Invoke();
            return;
        }

        var declaring = context.Request.GetInterfaceType();
        if (declaring == typeof(IGeoGrainControl) || declaring == typeof(ActiveActive.IActiveActiveGrain) || !declaring.IsInstanceOfType(context.Grain))
        {
            await context.Invoke();
            return;
        }

        var route = GeoCallRoute.Take();
        var readOnly = IsReadOnly(context.InterfaceMethod);

        // Bad settings fail the call before it runs, naming the problem.
        var level = readOnly && RequestContext.Get(GeoCallHeaders.Read) is string read ? ReadLevel.Parse(read) : grain.Registration.Reads;
        var wantsInfo = RequestContext.Get(GeoCallHeaders.WantsInfo) is true;
        var sessionToken = RequestContext.Get(GeoCallHeaders.Session) as string;
        var anyRegion = grain.Registration.Attribute.Writers == GeoWriters.AnyRegion;
        if (anyRegion && readOnly && level.Level != ReadConsistency.Eventual)
        {
            // Every region writes it: no region holds the latest state, so only the local copy can be served.
            throw new InvalidConsistencyException(
                $"Geo grain '{grain.GrainId}' is active-active (Writers = AnyRegion): its reads are served from the local copy only; read it at Eventual, not {level.Level}.");
        }

        if (readOnly && level.Level == ReadConsistency.Eventual && !wantsInfo && string.IsNullOrEmpty(sessionToken))
        {
            // The common read: the local activation, nothing to decide or report.
            await context.Invoke();
            return;
        }

        var session = tokens.Read(sessionToken);
        using var relay = wantsInfo ? GeoCallRelay.Begin() : null;
        var ranAs = readOnly
            ? await ReadAsync(context, grain, route, level, session)
            : anyRegion ? await writes.RunHereAnywayAsync(context, grain, owners.DurabilityOf(grain)) : await owners.RunAtOwnerAsync(context, grain, route, write: true);

        if (wantsInfo && context.Response is { Exception: null } response and not GeoResponse)
        {
            var info = ranAs is { } owner
                ? Served(grain, owner, session)
                : relay?.Relay.Info is { } remote ? remote with { Forwarded = true } : null;
            if (info is not null)
            {
                context.Response = new GeoResponse(response, info);
            }
        }
    }

    /// <summary>Serves a read at <paramref name="level"/>; returns the ownership it ran under, or <see langword="null"/> when forwarded.</summary>
    private async Task<GrainOwnership?> ReadAsync(IIncomingGrainCallContext call, IGeoGrainActivation grain, GeoCallRoute route, ReadLevel level, SessionVector session)
    {
        if (grain.Registration.Attribute.Writers == GeoWriters.AnyRegion)
        {
            await call.Invoke();
            return new GrainOwnership(region.Id, 0);
        }

        if (level.Level == ReadConsistency.Strong)
        {
            return await owners.RunAtOwnerAsync(call, grain, route, write: false);
        }

        var owner = await ownership.ResolveAsync(grain.GrainId, grain.Registration.Partition, route.EpochHint);
        if (owner.Owner == region.Id || level.Level == ReadConsistency.Eventual || IsFreshEnough(grain.Stored, owner, level, session)
            || (level.Level == ReadConsistency.Session && await CatchUpAsync(grain, owner, level, session)))
        {
            await call.Invoke();
            return owner;
        }

        // Not provably fresh enough here, nor soon enough: the owner is.
        await route.ForwardAsync(call, owner, links);
        return null;
    }

    /// <summary>
    /// Whether the local replica provably meets the level, from what it holds and from the regions' safe times (every
    /// change a region committed up to its safe time has been applied here).
    /// </summary>
    /// <remarks>
    /// A session is met when, for each region it has seen commits from, the replica's version was committed no earlier
    /// (a grain's commit times grow with its versions, each commit's clock having seen the version before) or that
    /// region's safe time has passed them. Commits this region made are in its own storage and activation. A bound on
    /// staleness is met when the owner's safe time, and that of the region that committed the replica's version (the
    /// previous owner, after a move), are within the bound of now.
    /// </remarks>
    private bool IsFreshEnough(StoredGeoRecord? stored, GrainOwnership owner, ReadLevel level, SessionVector session) => level.Level switch
    {
        ReadConsistency.Session => session.Seen.All(seen =>
            seen.Key == region.Id
            || stored?.Record.CommittedAt >= seen.Value
            || freshness.SafeTime(seen.Key) >= seen.Value),
        ReadConsistency.BoundedStaleness => freshness.Lag(owner.Owner) <= level.MaxStaleness
            && (stored is null || stored.Record.CommittedIn == owner.Owner || stored.Record.CommittedIn == region.Id
                || freshness.Lag(stored.Record.CommittedIn) <= level.MaxStaleness),
        _ => false,
    };

    /// <summary>Waits up to <c>Consistency:SessionWait</c> for the replica, or the regions' safe times, to catch up with the session.</summary>
    private async Task<bool> CatchUpAsync(IGeoGrainActivation grain, GrainOwnership owner, ReadLevel level, SessionVector session)
    {
        var wait = options.Value.SessionWait;
        if (wait <= TimeSpan.Zero)
        {
            return false;
        }

        var behind = session.Seen.Where(seen => seen.Key != region.Id && !(freshness.SafeTime(seen.Key) >= seen.Value)).ToList();
        var safeTimes = Task.WhenAll(behind.Select(seen => freshness.WaitForAsync(seen.Key, seen.Value, wait)));
        var version = grain.WaitUntilAsync(stored => IsFreshEnough(stored, owner, level, session), wait);
        await Task.WhenAny(safeTimes, version);
        return IsFreshEnough(grain.Stored, owner, level, session);
    }

    private GeoCallInfo Served(IGeoGrainActivation grain, GrainOwnership owner, SessionVector session)
    {
        var record = grain.Stored?.Record;
        var seen = record is null ? session : session.Observe(record.CommittedIn, record.CommittedAt);
        // The owner is never behind; a replica is as far behind as the owner's safe time here.
        var lag = owner.Owner == region.Id ? TimeSpan.Zero : freshness.Lag(owner.Owner);
        return new GeoCallInfo(region.Id, owner.Owner, Forwarded: false, record?.Version ?? 0, record?.CommittedAt ?? default, lag, tokens.Write(seen),
            ActiveActive: grain.Registration.Attribute.Writers == GeoWriters.AnyRegion);
    }

    // A generic method arrives closed over its type arguments, and its attributes are those of its definition. A method
    // Orleans could not find (no MethodInfo) is taken as a write: running it at the owner is correct for either kind.
    private static bool IsReadOnly(MethodInfo? method) =>
        method is not null && ReadOnlyMethods.GetOrAdd(method, static m => m.GetCustomAttribute<ReadOnlyAttribute>() is not null);
}
