using System.Collections.Concurrent;
using GeoGrains.Calls;
using GeoGrains.Client.Regions;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace GeoGrains.Client.Routing;

/// <summary>
/// Sends one call through the client's regions, and is the one place that decides what is retried: every call has one
/// deadline (<see cref="GeoClientSettings.CallTimeout"/>); a call that could not be sent to a region (no connection,
/// refused) goes on to the next region, reads and writes alike; a read whose region fails or goes down while it is in
/// flight is sent again to the next region; so is a write, with the idempotency key it carries on every attempt (the
/// app's, or one made for the call when <see cref="GeoClientSettings.IdempotentWrites"/> is on), since the grain's owner
/// applies a key at most once. A write without a key that was sent and got no answer fails with
/// <see cref="WriteOutcomeUnknownException"/>, because it may have been applied. Every call carries the client's session
/// unless the app's scope has one, and tells the router where its grain is owned.
/// </summary>
internal sealed class GeoCallInvoker(IRegionRouter router, GeoClientSettings settings, Func<GeoSession> session, OwnerCache owners, TimeProvider time)
{
    // Interfaces whose answers came from geo grains, and whether they are single-owner (true) or active-active (false):
    // only a single owner applies a key once for all regions, so only writes to those are sent again with a key the
    // client made (a plain Orleans grain, or another region's copy of an active-active grain, would apply it twice).
    // A key the app set is its own call, except for an active-active grain.
    private readonly ConcurrentDictionary<Type, bool> _geoInterfaces = new();

    public async Task<T> InvokeAsync<T>(GeoCall call, Func<IGrainFactory, Task<T>> send)
    {
        var started = time.GetTimestamp();
        var failures = new List<KeyValuePair<RegionId, string>>();
        Exception? lastFailure = null;
        var first = settings.DirectHomeRouting && !call.IsReadOnly ? owners.OwnerOf(call.Grain) : null;
        var appKey = call.IsReadOnly ? null : GeoContext.Current?.IdempotencyKey;
        var key = appKey ?? (!call.IsReadOnly && settings.IdempotentWrites ? Guid.NewGuid().ToString("N") : null);
        var known = call.Interface is { } type && _geoInterfaces.TryGetValue(type, out var singleOwner) ? singleOwner : (bool?)null;
        var resendable = call.IsReadOnly || (known != false && appKey is not null) || (key is not null && known == true);
        foreach (var region in router.CallOrder(first))
        {
            var left = settings.CallTimeout - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                break;
            }

            IGrainFactory factory;
            try
            {
                factory = await router.ConnectAsync(region, left, CancellationToken.None);
            }
            catch (RegionNotReachedException notReached)
            {
                router.ReportFailure(region, notReached.Reason, null);
                failures.Add(new(region, notReached.Reason));
                lastFailure = notReached;
                continue;
            }

            var down = router.DownSignal(region);
            var attempt = AttemptAsync(factory, send, key);
            left = settings.CallTimeout - time.GetElapsedTime(started);
            using var timer = new CancellationTokenSource();
            var expired = Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, time, timer.Token);
            var finished = await Task.WhenAny(attempt, down, expired);
            timer.Cancel();
            if (finished == attempt)
            {
                try
                {
                    var (result, info) = await attempt;
                    router.ReportAnswer(region);
                    if (info is not null && call.Interface is { } geo)
                    {
                        _geoInterfaces[geo] = !info.ActiveActive;
                    }

                    if (info is not null && settings.DirectHomeRouting)
                    {
                        owners.Learn(call.Grain, info.Owner);
                    }

                    return result;
                }
                catch (Exception exception) when (Classify(exception) is { } failure)
                {
                    router.ReportFailure(region, failure.Reason, failure.Sent ? factory : null);
                    if (failure.Sent && !resendable)
                    {
                        throw new WriteOutcomeUnknownException(call.Name, region, $"failed while the call was in flight ({failure.Reason})", exception);
                    }

                    failures.Add(new(region, failure.Reason));
                    lastFailure = exception;
                    continue;
                }
            }

            // The region went down, or the deadline passed, with the call in flight: its own outcome no longer matters.
            _ = attempt.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            var reason = finished == down ? "went down" : $"gave no answer within the call's deadline ({settings.CallTimeout.TotalMilliseconds:0} ms)";
            if (!resendable)
            {
                throw new WriteOutcomeUnknownException(call.Name, region, reason);
            }

            failures.Add(new(region, reason));
        }

        throw new NoRegionAvailableException(call.Name, failures, lastFailure);
    }

    private async Task<(T Result, GeoCallInfo? Info)> AttemptAsync<T>(IGrainFactory factory, Func<IGrainFactory, Task<T>> send, string? key)
    {
        // Entered here, the scope and the relay reach the call's filters and vanish from the app's flow when this returns.
        var appSession = GeoContext.Current?.Session;
        using var scope = GeoContext.Use(session: appSession is null ? session() : null, idempotencyKey: key);
        using var relay = GeoCallRelay.Begin();
        var result = await send(factory);
        return (result, relay.Relay.Info);
    }

    /// <summary>
    /// Whether a failure is the region's rather than the app's, and whether the call may have reached it:
    /// <see langword="null"/> for the app's own exceptions, which the caller gets as they are.
    /// </summary>
    internal static (string Reason, bool Sent)? Classify(Exception exception) => exception switch
    {
        RegionNotReachedException notReached => (notReached.Reason, false),

        // A gateway shedding load refuses the message before any grain sees it.
        GatewayTooBusyException => ("its gateway is too busy", false),

        // A region still starting has not listed the grain yet: the call was refused, not run.
        ArgumentException when exception.Message.StartsWith("Could not find an implementation for interface", StringComparison.Ordinal)
            => ("its silos did not list the grain yet", false),

        SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or ObjectDisposedException
            => ($"its connection failed ({exception.GetType().Name}: {exception.Message})", true),
        TimeoutException => ($"gave no answer in time ({exception.Message})", true),

        // The region took the call but could not get an answer from the grain's owner (a link cut, a reply lost): the
        // write may have been applied there; another region may reach the owner.
        RegionUnreachableException => ($"could not reach the grain's owner ({exception.Message})", true),
        _ => null,
    };
}
