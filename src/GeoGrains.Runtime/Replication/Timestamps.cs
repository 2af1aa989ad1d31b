namespace GeoGrains.Runtime.Replication;

/// <summary>Timestamps of a <see cref="TimeProvider"/> of something that may not have happened yet.</summary>
internal static class Timestamps
{
    // What the shipper's last batch, last safe-time report and last answer hold until it first happens. Not 0: timestamps
    // count from an arbitrary origin (the system clock's is the machine's boot), so 0 read as a time made the first batch
    // wait out the batch interval on a machine up for less than that, and a target that never answered look answered at
    // boot.
    public const long Never = long.MinValue;

    /// <summary>How long ago a timestamp of <paramref name="time"/> was taken; null if it was <see cref="Never"/>.</summary>
    public static TimeSpan? Since(this TimeProvider time, long timestamp) => timestamp == Never ? null : time.GetElapsedTime(timestamp);
}
