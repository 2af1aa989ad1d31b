using GeoGrains.Configuration;
using GeoGrains.Runtime.Clocks;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// How fresh this region's replicas are, per source region, on this silo: the source's <em>safe time</em>, a time T such
/// that every change committed in the source region at or before T has been applied here. Fed by the safe times that the
/// source's silos send with their batches and heartbeats (<see cref="SafeTimeReport"/>), each applied after the batch it
/// came with, on the receiving silo and, through the replica notices, on every other silo of the region.
/// </summary>
/// <remarks>
/// <para>A region's safe time is the minimum over its silos, and unknown (<see langword="null"/>) while any silo it
/// lists as active has not been heard from: that silo may have committed changes nobody has shipped yet. A silo is only
/// forgotten once every report from its region for <c>retention</c> (2 × <see cref="ReplicationOptions.OrphanAfter"/>)
/// has left it out of the active silos: by then the source's outbox recovery, which runs every <c>OrphanAfter</c> and
/// adopts the markers of silos its membership lists as dead or no longer lists, has queued what it left on a live silo, whose safe
/// time covers it. A silo that is alive but silent (cut off) is kept, so reads are forwarded rather than served stale.</para>
/// <para>Each silo's safe time only moves forward: a report that arrives late (batches travel side by side) changes
/// nothing. Each report is valid on its own, because the sender's safe time already stays below every change it has
/// not had acknowledged, and an acknowledgement comes only after the change is applied and handed to the region's
/// warm activations.</para>
/// </remarks>
internal sealed class ReplicaFreshness(HybridLogicalClock clock, TimeProvider time, TimeSpan retention)
{
    private readonly object _lock = new();
    private readonly Dictionary<RegionId, Source> _sources = [];

    /// <summary>
    /// The time at or before which every change committed in <paramref name="source"/> has been applied here;
    /// <see langword="null"/> when not known (nothing heard yet, a silo of the source not heard from, or the local region).
    /// </summary>
    public HybridTimestamp? SafeTime(RegionId source)
    {
        lock (_lock)
        {
            return _sources.TryGetValue(source, out var known) ? known.SafeTime : null;
        }
    }

    /// <summary>How far this region may be behind <paramref name="source"/>: the clock's now minus its safe time (never negative); <see langword="null"/> when not known.</summary>
    public TimeSpan? Lag(RegionId source) => SafeTime(source) is { } safeTime
        ? TimeSpan.FromMilliseconds(Math.Max(0, clock.Now().PhysicalMilliseconds - safeTime.PhysicalMilliseconds))
        : null;

    /// <summary>
    /// Waits until <see cref="SafeTime"/> of <paramref name="source"/> is at least <paramref name="atLeast"/>: true then,
    /// false once <paramref name="timeout"/> has passed. Woken by the report that brings it there, not by polling.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<bool> WaitForAsync(RegionId source, HybridTimestamp atLeast, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A wait for a safe time needs a timeout of zero or more, or Timeout.InfiniteTimeSpan.");
        }

        Waiter waiter;
        lock (_lock)
        {
            var known = SourceOf(source);
            if (known.SafeTime >= atLeast)
            {
                return true;
            }

            waiter = new Waiter(atLeast);
            known.Waiters.Add(waiter);
        }

        try
        {
            await waiter.Reached.Task.WaitAsync(timeout, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            lock (_lock)
            {
                _sources[source].Waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Takes in a silo's report, once the batch it came with (if any) has been applied and handed to this silo's activations.</summary>
    public void Apply(SafeTimeReport report)
    {
        List<Waiter>? reached = null;
        lock (_lock)
        {
            var source = SourceOf(report.Source);
            var now = time.GetTimestamp();
            if (!source.Silos.TryGetValue(report.Silo, out var sender))
            {
                sender = new Silo();
                source.Silos[report.Silo] = sender;
            }

            if (sender.SafeTime is not { } known || report.SafeTime > known)
            {
                sender.SafeTime = report.SafeTime;
            }

            sender.LeftOutSince = null;
            var active = report.ActiveSilos.ToHashSet(StringComparer.Ordinal);
            active.Add(report.Silo);
            foreach (var listed in active)
            {
                // Listed by its peers but not heard from: it may have changes of its own on the way.
                source.Silos.TryAdd(listed, new Silo());
            }

            foreach (var (name, silo) in source.Silos.ToList())
            {
                if (active.Contains(name))
                {
                    silo.LeftOutSince = null;
                }
                else if (silo.LeftOutSince is not { } since)
                {
                    silo.LeftOutSince = now;
                }
                else if (time.GetElapsedTime(since, now) >= retention)
                {
                    source.Silos.Remove(name);
                }
            }

            HybridTimestamp? least = null;
            foreach (var silo in source.Silos.Values)
            {
                if (silo.SafeTime is not { } safeTime)
                {
                    least = null;
                    break;
                }

                least = least is { } l ? HybridTimestampOrder.Min(l, safeTime) : safeTime;
            }

            source.SafeTime = least;
            if (least is { } reachedTime && source.Waiters.Count > 0)
            {
                reached = source.Waiters.Where(w => w.AtLeast <= reachedTime).ToList();
            }
        }

        // Outside the lock: waiters continue asynchronously anyway.
        foreach (var waiter in reached ?? [])
        {
            waiter.Reached.TrySetResult();
        }
    }

    private Source SourceOf(RegionId region)
    {
        if (!_sources.TryGetValue(region, out var source))
        {
            source = new Source();
            _sources[region] = source;
        }

        return source;
    }

    private sealed class Source
    {
        public Dictionary<string, Silo> Silos { get; } = new(StringComparer.Ordinal);

        public HybridTimestamp? SafeTime { get; set; }

        public List<Waiter> Waiters { get; } = [];
    }

    private sealed class Silo
    {
        public HybridTimestamp? SafeTime { get; set; }

        /// <summary>Since when (<see cref="TimeProvider.GetTimestamp"/>) the reports of its peers have left it out.</summary>
        public long? LeftOutSince { get; set; }
    }

    private sealed class Waiter(HybridTimestamp atLeast)
    {
        public HybridTimestamp AtLeast { get; } = atLeast;

        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
