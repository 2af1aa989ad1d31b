using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GeoGrains.Runtime.Clocks;

/// <summary>
/// A hybrid logical clock (Kulkarni et al.): readings never go backwards, follow wall-clock time when it advances, and
/// are ordered after every reading received from another region (<see cref="Observe"/>) that is within the maximum clock
/// offset of the local wall clock. A reading further ahead than that comes from a clock that is wrong, not from a later
/// event: the clock does not jump with it (it moves at most to wall clock plus the offset), and the reading is counted
/// per source (<see cref="AheadOfOffset"/>) and logged, since events after it may then be ordered before it.
/// </summary>
public sealed class HybridLogicalClock
{
    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly long? _maxOffsetMs;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, long> _ahead = new(StringComparer.Ordinal);
    private HybridTimestamp _last;

    /// <summary>A clock on the system time, following any reading it observes.</summary>
    public HybridLogicalClock() : this(TimeProvider.System)
    {
    }

    /// <summary>
    /// A clock on <paramref name="time"/> that follows observed readings at most <paramref name="maxOffset"/> ahead of its
    /// wall clock (null: any reading).
    /// </summary>
    public HybridLogicalClock(TimeProvider time, TimeSpan? maxOffset = null, ILogger<HybridLogicalClock>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (maxOffset < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxOffset), maxOffset, "The maximum clock offset cannot be negative.");
        }

        _time = time;
        _maxOffsetMs = maxOffset is { } offset ? (long)offset.TotalMilliseconds : null;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Per source, how many observed readings were further ahead of the local wall clock than the maximum offset.</summary>
    public IReadOnlyDictionary<string, long> AheadOfOffset => _ahead;

    /// <summary>A reading for a local event, later than every earlier reading.</summary>
    public HybridTimestamp Now()
    {
        var wall = _time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_lock)
        {
            _last = wall > _last.PhysicalMilliseconds ? new HybridTimestamp(wall, 0) : _last with { Logical = _last.Logical + 1 };
            return _last;
        }
    }

    /// <summary>
    /// Takes in a reading from elsewhere (<paramref name="source"/>: the region it came from, for the report), so that
    /// later local readings are ordered after it, unless it is further ahead than the maximum offset.
    /// </summary>
    public HybridTimestamp Observe(HybridTimestamp remote, string? source = null)
    {
        var wall = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_maxOffsetMs is { } maxOffset && remote.PhysicalMilliseconds > wall + maxOffset)
        {
            var count = _ahead.AddOrUpdate(source ?? "unknown", 1, (_, n) => n + 1);
            if ((count & (count - 1)) == 0)
            {
                // The 1st, 2nd, 4th, 8th… of each source: a clock that stays wrong is reported without flooding the log.
                _logger.LogWarning(
                    "A reading from {Source} is {Ahead} ms ahead of this clock, more than the maximum offset of {MaxOffset} ms ({Count} so far): the clock does not follow it.",
                    source ?? "another region", remote.PhysicalMilliseconds - wall, maxOffset, count);
            }

            remote = new HybridTimestamp(wall + maxOffset, 0);
        }

        lock (_lock)
        {
            var physical = Math.Max(wall, Math.Max(_last.PhysicalMilliseconds, remote.PhysicalMilliseconds));
            int logical;
            if (physical == _last.PhysicalMilliseconds && physical == remote.PhysicalMilliseconds)
            {
                logical = Math.Max(_last.Logical, remote.Logical) + 1;
            }
            else if (physical == _last.PhysicalMilliseconds)
            {
                logical = _last.Logical + 1;
            }
            else if (physical == remote.PhysicalMilliseconds)
            {
                logical = remote.Logical + 1;
            }
            else
            {
                logical = 0;
            }

            _last = new HybridTimestamp(physical, logical);
            return _last;
        }
    }
}
