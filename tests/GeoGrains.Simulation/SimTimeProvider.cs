
namespace GeoGrains.Simulation;

/// <summary>
/// One region's clock: the simulator's global time at a rate of 1 ± drift (the drift within what
/// <c>FailoverOptions.MaxClockOffset</c> allows over a lease period), and a wall clock offset from the others. Timers are
/// simulator events that fire in the synchronization context that created them (the incarnation of the region), so a
/// timer of a crashed incarnation never fires. Used by the real classes (<c>ReplicationAcknowledgements</c>,
/// <c>HybridLogicalClock</c>, <c>Task.Delay</c>, <c>WaitAsync</c>) through the <see cref="TimeProvider"/> API.
/// </summary>
internal sealed class SimTimeProvider(Simulator simulator, double rate, DateTimeOffset wallAtStart) : TimeProvider
{
    public double Rate { get; } = rate;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => (long)(simulator.Now * Rate);

    public override DateTimeOffset GetUtcNow() => wallAtStart + TimeSpan.FromTicks(GetTimestamp());

    /// <summary>The global time at which <paramref name="local"/> of this clock has passed from now.</summary>
    public long GlobalAfter(TimeSpan local) => simulator.Now + (long)Math.Ceiling(Math.Max(0, local.Ticks) / Rate);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SimTimer(simulator, this, SynchronizationContext.Current as SimRegionContext, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class SimTimer(Simulator simulator, SimTimeProvider time, SimRegionContext? context, TimerCallback callback, object? state) : ITimer
    {
        private long _generation;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var generation = ++_generation;
            _period = period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return true;
            }

            Schedule(dueTime, generation);
            return true;
        }

        public void Dispose() => _generation++;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void Schedule(TimeSpan due, long generation) => simulator.At(time.GlobalAfter(due), () =>
        {
            // A crashed incarnation's timer never fires again: stop scheduling it, rather than run the invariants for nothing.
            if (generation != _generation || context is { Dead: true })
            {
                simulator.Quiet();
                return;
            }

            if (_period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan)
            {
                Schedule(_period, generation);
            }

            if (context is null)
            {
                callback(state);
            }
            else
            {
                context.Run(() => callback(state));
            }
        });
    }
}
