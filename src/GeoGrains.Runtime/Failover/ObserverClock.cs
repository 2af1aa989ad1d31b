namespace GeoGrains.Runtime.Failover;

/// <summary>
/// The health observer's monotonic clock, one per activation and shared by its roles: lease times are never taken from
/// the wall clock, and a time one role takes (when a probe was sent, since when a region has been heard) is compared
/// with another's (the lease's confirmations, the failback's stable period), so they must all count from one origin.
/// </summary>
internal sealed class ObserverClock(TimeProvider time)
{
    private readonly long _origin = time.GetTimestamp();

    /// <summary>The time since the observer started.</summary>
    public TimeSpan Now => time.GetElapsedTime(_origin);
}
