using System.Collections.Concurrent;
using System.Reflection;
using GeoGrains.Client.Calls;
using GeoGrains.Runtime.Hosting;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Replication;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using ReadLevel = GeoGrains.Consistency;

namespace GeoGrains.Runtime.Consistency;

/// <summary>
/// Sorts every call to a geo grain. A write takes the <see cref="GeoWritePath"/> (run at the owner). A <c>[ReadOnly]</c>
/// call is served where its read level allows: <see cref="ReadConsistency.Eventual"/> by the local activation (a replica
/// outside the owner region); <see cref="ReadConsistency.Strong"/> by the owner, ordered with its writes;
/// <see cref="ReadConsistency.BoundedStaleness"/> and <see cref="ReadConsistency.Session"/> locally when the replica is
/// provably fresh enough, else by the owner. When the caller asked (it runs GeoGrains' call filter), the response carries
/// what served the call (<see cref="GeoCallInfo"/>), with the caller's session token brought up to date.
/// </summary>
internal sealed class GeoCallRouter(GeoWritePath writes, LocalRegion region, SessionTokenCodec tokens, IOptions<GeoGrainsOptions> options) : IIncomingGrainCallFilter
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
        if (declaring == typeof(IGeoGrainControl) || !declaring.IsInstanceOfType(context.Grain))
        {
            await context.Invoke();
            return;
        }

        var route = GeoCallRoute.Take();

        // Bad settings fail the call before it runs, naming the problem.
        var session = tokens.Read(RequestContext.Get(GeoCallHeaders.Session) as string);
        var wantsInfo = RequestContext.Get(GeoCallHeaders.WantsInfo) is true;
        using var relay = GeoCallRelay.Begin();
        GrainOwnership? ranAs;
        if (IsReadOnly(context.InterfaceMethod))
        {
            var level = RequestContext.Get(GeoCallHeaders.Read) is string read ? ReadLevel.Parse(read) : grain.Registration.Reads;
            ranAs = await ReadAsync(context, grain, route, level, session);
        }
        else
        {
            ranAs = await writes.RunAtOwnerAsync(context, grain, route, write: true);
        }

        if (wantsInfo && context.Response is { Exception: null } response and not GeoResponse)
        {
            var info = ranAs is { } owner
                ? Served(grain, owner, session)
                : relay.Relay.Info is { } remote ? remote with { Forwarded = true } : null;
            if (info is not null)
            {
                context.Response = new GeoResponse(response, info);
            }
        }
    }

    /// <summary>Serves a read at <paramref name="level"/>; returns the ownership it ran under, or <see langword="null"/> when forwarded.</summary>
    private async Task<GrainOwnership?> ReadAsync(IIncomingGrainCallContext call, IGeoGrainActivation grain, GeoCallRoute route, ReadLevel level, SessionVector session)
    {
        if (level.Level == ReadConsistency.Strong)
        {
            return await writes.RunAtOwnerAsync(call, grain, route, write: false);
        }

        var owner = await writes.Ownership.ResolveAsync(grain.GrainId, grain.Registration.Partition, route.EpochHint);
        if (owner.Owner == region.Id || level.Level == ReadConsistency.Eventual || IsFreshEnough(grain.Stored, level, session)
            || (level.Level == ReadConsistency.Session && await grain.WaitUntilAsync(stored => IsFreshEnough(stored, level, session), options.Value.Consistency.SessionWait)))
        {
            await call.Invoke();
            return owner;
        }

        // Not provably fresh enough here, nor soon enough: the owner is.
        await route.ForwardAsync(call, owner, writes.Links);
        return null;
    }

    /// <summary>
    /// Whether the local replica provably meets the level. A session is met when the replica's version was committed
    /// no earlier than anything the session has seen: a grain's commit times grow with its versions (each commit's hybrid
    /// clock has seen the version before it), so no version the session saw can be newer. A bound on staleness needs to
    /// know what the owner has committed since: without that proof, the owner answers.
    /// </summary>
    private static bool IsFreshEnough(StoredGeoRecord? stored, ReadLevel level, SessionVector session) => level.Level switch
    {
        ReadConsistency.Session => session.Seen.Count == 0
            || (stored?.Record.CommittedAt is { } committed && session.Seen.Values.All(seen => committed >= seen)),
        _ => false,
    };

    private GeoCallInfo Served(IGeoGrainActivation grain, GrainOwnership owner, SessionVector session)
    {
        var record = grain.Stored?.Record;
        var seen = record is null ? session : session.Observe(record.CommittedIn, record.CommittedAt);
        // The owner is never behind; a replica's lag needs the owner's word on what it has committed since.
        TimeSpan? lag = owner.Owner == region.Id ? TimeSpan.Zero : null;
        return new GeoCallInfo(region.Id, owner.Owner, Forwarded: false, record?.Version ?? 0, record?.CommittedAt ?? default, lag, tokens.Write(seen));
    }

    // A generic method arrives closed over its type arguments, and its attributes are those of its definition. A method
    // Orleans could not find (no MethodInfo) is taken as a write: running it at the owner is correct for either kind.
    private static bool IsReadOnly(MethodInfo? method) =>
        method is not null && ReadOnlyMethods.GetOrAdd(method, static m => m.GetCustomAttribute<ReadOnlyAttribute>() is not null);
}
