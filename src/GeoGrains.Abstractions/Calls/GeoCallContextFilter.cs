using Orleans.Runtime;

namespace GeoGrains.Calls;

/// <summary>
/// Caller side of <see cref="GeoContext"/>: puts the current scope's settings on each outgoing call and takes what served
/// it off the response into the scope (and its session). Calls made outside any scope pass through unchanged.
/// </summary>
internal sealed class GeoCallContextFilter : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        // Set inside this async method, the entries reach the call being sent and vanish from the caller's context when it returns.
        var scope = GeoContext.Current;
        if (scope is not null)
        {
            if (scope.Read is { } read)
            {
                RequestContext.Set(GeoCallHeaders.Read, read.ToString());
            }

            if (scope.Write is { } write)
            {
                RequestContext.Set(GeoCallHeaders.Write, write.ToString());
            }

            if (scope.Session is { } session)
            {
                RequestContext.Set(GeoCallHeaders.Session, session.Token);
            }

            if (scope.IdempotencyKey is { } key)
            {
                RequestContext.Set(GeoCallHeaders.IdempotencyKey, key);
            }

            RequestContext.Set(GeoCallHeaders.WantsInfo, true);
        }

        await context.Invoke();

        if (context.Response is GeoResponse wrapped)
        {
            context.Response = wrapped.Inner;
            scope?.Record(wrapped.Info);
            GeoCallRelay.Current?.Record(wrapped.Info);
        }
    }
}
