using GeoGrains.Calls;
using GeoGrains.Runtime.Links;

namespace GeoGrains.Runtime.Calls;

/// <summary>
/// What a forwarded call carries about its route: the ownership epoch the sender routed by (a receiver with an older
/// directory copy refreshes it) and how many regions it has passed through (directories that disagree cannot bounce a
/// call forever), and the write's idempotency key, which goes to the owner and no further: calls the grain makes while
/// it runs are other writes.
/// </summary>
internal readonly record struct GeoCallRoute(long EpochHint, int Hops, string? IdempotencyKey = null)
{
    private const string EpochHintKey = "geograins.epoch";
    private const string HopsKey = "geograins.hops";
    private const int MaxHops = 3;

    /// <summary>Takes the route out of the incoming call's request context, so that calls the grain makes do not carry it on.</summary>
    /// <exception cref="InvalidIdempotencyKeyException">The call carries an idempotency key that cannot be used.</exception>
    public static GeoCallRoute Take()
    {
        var key = RequestContext.Get(GeoCallHeaders.IdempotencyKey);
        var route = new GeoCallRoute(RequestContext.Get(EpochHintKey) as long? ?? 0, RequestContext.Get(HopsKey) as int? ?? 0);
        RequestContext.Remove(EpochHintKey);
        RequestContext.Remove(HopsKey);
        RequestContext.Remove(GeoCallHeaders.IdempotencyKey);
        return route with { IdempotencyKey = IdempotencyKeys.FromRequest(key) };
    }

    /// <summary>Forwards <paramref name="call"/> to <paramref name="owner"/>'s region and sets its result.</summary>
    /// <exception cref="GeoGrainsException">The call has been forwarded too often: the regions' directories disagree.</exception>
    public async Task ForwardAsync(IIncomingGrainCallContext call, GrainOwnership owner, IRegionLinks links)
    {
        if (Hops >= MaxHops)
        {
            throw new GeoGrainsException(
                $"Write to geo grain '{call.TargetId}' was forwarded {Hops} times without reaching its owner; the regions' directories disagree (this region says '{owner.Owner}', epoch {owner.Epoch}).");
        }

        RequestContext.Set(EpochHintKey, owner.Epoch);
        RequestContext.Set(HopsKey, Hops + 1);
        if (IdempotencyKey is not null)
        {
            RequestContext.Set(GeoCallHeaders.IdempotencyKey, IdempotencyKey);
        }

        try
        {
            // The incoming request's token fires when the caller cancels: it stops the wait here, and the forwarded
            // request carries it to the owner.
            call.Result = await links.InvokeAsync(owner.Owner, grains => CallForwarder.ForwardAsync(grains, call), call.Request.GetCancellationToken());
        }
        finally
        {
            RequestContext.Remove(EpochHintKey);
            RequestContext.Remove(HopsKey);
            RequestContext.Remove(GeoCallHeaders.IdempotencyKey);
        }
    }
}
