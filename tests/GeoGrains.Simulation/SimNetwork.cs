
namespace GeoGrains.Simulation;

/// <summary>
/// The links between regions, standing in for <c>IRegionLinks</c>: one-way cuts, random latency per message (so that
/// messages overtake each other), loss and duplication, all decided by the simulator's random. A call is a request and
/// an answer, each a message; the caller gives up after its timeout with <see cref="RegionUnreachableException"/>, as
/// <c>IRegionLinks.InvokeAsync</c> does. A request runs on whatever incarnation of the target is up when it arrives; an
/// answer reaches only the incarnation that asked.
/// </summary>
internal sealed class SimNetwork(SimWorld world)
{
    private readonly HashSet<(int From, int To)> _cut = [];

    public bool IsCut(SimRegion from, SimRegion to) => _cut.Contains((from.Index, to.Index));

    public void Cut(SimRegion from, SimRegion to) => _cut.Add((from.Index, to.Index));

    public void HealAll() => _cut.Clear();

    public string Describe() => _cut.Count == 0 ? "no cuts" : string.Join(" ", _cut.OrderBy(c => c).Select(c => $"{world.Regions[c.From].Id}->{world.Regions[c.To].Id}"));

    /// <summary>Sends a request from the incarnation running now in <paramref name="from"/>; must be called in its context.</summary>
    public Task<T> CallAsync<T>(SimRegion from, SimRegion to, string what, Func<SimNode, Task<T>> handler, TimeSpan timeout)
    {
        var caller = from.Node ?? throw new InvalidOperationException($"{from.Id} is down and cannot call.");
        return CallCoreAsync(from, caller.Context, to, what, () => to.Node is { } node ? (node.Context, node) : null, handler, timeout);
    }

    /// <summary>
    /// Calls the health observer of <paramref name="to"/> (RegionHealthGrain, key 0) from code running in
    /// <paramref name="caller"/> (an observer or a silo of <paramref name="from"/>): the request runs in the silo that hosts
    /// the observer when it arrives, and is lost while the observer is moving to another silo; the answer reaches only
    /// <paramref name="caller"/>, and not once its silo died.
    /// </summary>
    public Task<T> CallObserverAsync<T>(SimRegion from, SimRegionContext caller, SimRegion to, string what, Func<SimHealth, Task<T>> handler, TimeSpan timeout) =>
        CallCoreAsync(from, caller, to, what, () => to.Node?.Observer is { } observer ? (observer.Context, observer) : null, handler, timeout);

    private Task<T> CallCoreAsync<TTarget, T>(SimRegion from, SimRegionContext caller, SimRegion to, string what, Func<(SimRegionContext Context, TTarget Target)?> target, Func<TTarget, Task<T>> handler, TimeSpan timeout)
    {
        // Not RunContinuationsAsynchronously: callers wrap the task in Task.WaitAsync (OwnershipAgreement), whose completion
        // action would then run on the thread pool. Completed inside the caller's context, continuations run there at once.
        var answer = new TaskCompletionSource<T>();
        world.Sim.At(from.Time.GlobalAfter(timeout), () =>
        {
            // Most calls are answered long before: such a timeout changes nothing, and no check needs to follow it.
            if (caller.Dead || answer.Task.IsCompleted)
            {
                world.Sim.Quiet();
                return;
            }

            caller.Run(() => answer.TrySetException(new RegionUnreachableException(from.Id, to.Id, $"{what}: no answer within {timeout}")));
        });
        Send(from, to, () => target() is { } t ? (t.Context, () => _ = RespondAsync(t.Target)) : null);
        return answer.Task;

        async Task RespondAsync(TTarget node)
        {
            T reply;
            try
            {
                reply = await handler(node);
            }
            catch (Exception exception)
            {
                Send(to, from, () => (caller, () => answer.TrySetException(exception)));
                return;
            }

            Send(to, from, () => (caller, () => answer.TrySetResult(reply)));
        }
    }

    // receiver: resolved when the message arrives (the incarnation or observer up then), with what it runs there.
    private void Send(SimRegion from, SimRegion to, Func<(SimRegionContext Context, Action Deliver)?> receiver)
    {
        var sim = world.Sim;
        var options = world.Options;
        if (IsCut(from, to) || sim.Chance(options.LossRate))
        {
            return;
        }

        var copies = sim.Chance(options.DuplicationRate) ? 2 : 1;
        for (var copy = 0; copy < copies; copy++)
        {
            var delay = Latency(from, to) + sim.Between(TimeSpan.Zero, options.Jitter);
            if (sim.Chance(options.SlowRate))
            {
                delay += sim.Between(TimeSpan.Zero, options.SlowMax);
            }

            sim.After(delay, () =>
            {
                // A cut made while the message was on its way drops it too.
                if (!IsCut(from, to) && receiver() is { Context.Dead: false } arrived)
                {
                    arrived.Context.Run(arrived.Deliver);
                }
                else
                {
                    sim.Quiet();
                }
            });
        }
    }

    // Half the seed topology's round trips (100 / 200 / 250 ms); further regions 150 ms away.
    private static TimeSpan Latency(SimRegion a, SimRegion b)
    {
        var (low, high) = a.Index < b.Index ? (a.Index, b.Index) : (b.Index, a.Index);
        var ms = (low, high) switch
        {
            (0, 1) => 50,
            (0, 2) => 100,
            (1, 2) => 125,
            _ => 75,
        };
        return TimeSpan.FromMilliseconds(ms);
    }
}
