namespace GeoGrains.Runtime.Clocks;

/// <summary>
/// A hybrid logical clock (Kulkarni et al.): readings never go backwards, follow wall-clock time when it advances, and
/// are ordered after every reading received from another region (<see cref="Observe"/>), whatever the clock skew.
/// </summary>
public sealed class HybridLogicalClock(TimeProvider time)
{
    private readonly object _lock = new();
    private HybridTimestamp _last;

    /// <summary>A clock on the system time.</summary>
    public HybridLogicalClock() : this(TimeProvider.System)
    {
    }

    /// <summary>A reading for a local event, later than every earlier reading.</summary>
    public HybridTimestamp Now()
    {
        var wall = time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_lock)
        {
            _last = wall > _last.PhysicalMilliseconds ? new HybridTimestamp(wall, 0) : _last with { Logical = _last.Logical + 1 };
            return _last;
        }
    }

    /// <summary>Takes in a reading from elsewhere, so that later local readings are ordered after it.</summary>
    public HybridTimestamp Observe(HybridTimestamp remote)
    {
        var wall = time.GetUtcNow().ToUnixTimeMilliseconds();
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
