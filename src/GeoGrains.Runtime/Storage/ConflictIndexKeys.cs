using System.Globalization;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.Storage;

/// <summary>
/// The layout of a region's conflict time index, in its table. Entries are grouped by the UTC hour they were resolved in
/// (a bucket, <c>yyyyMMddHH</c>): partition <c>c|bucket</c>, one row per entry, keyed by the hybrid-clock time
/// (fixed-width hex, so rows sort by time) then the record it names. Partition <see cref="DirectoryPartition"/> holds one
/// row per bucket that has entries, so a query skips the hours that had none: it reads the buckets of its window from
/// there, then each one's rows within the window, in time order, and stops once it has enough.
/// </summary>
internal static class ConflictIndexKeys
{
    /// <summary>The partition listing the buckets that have entries: row key = bucket.</summary>
    public const string DirectoryPartition = "c";

    private const string BucketPrefix = "c|";

    private static readonly long UnixEpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;

    /// <summary>The bucket of a time in Unix milliseconds: its UTC hour.</summary>
    public static string Bucket(long milliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    /// <summary>The partition holding a bucket's entries.</summary>
    public static string PartitionOf(string bucket) => BucketPrefix + bucket;

    /// <summary>
    /// An entry's row key: its time (so a bucket's rows are in time order), then the record it names (so two records
    /// resolved at the same time, and the entries of two grains, never share a row, and writing an entry again is idempotent).
    /// </summary>
    public static string RowKey(ConflictIndexEntry entry)
    {
        var time = Time(entry.ResolvedAt.PhysicalMilliseconds) + "." + ((uint)entry.ResolvedAt.Logical).ToString("x8", CultureInfo.InvariantCulture);
        var grain = TableKeys.Escape(entry.Grain.ToString());
        return entry.ConflictId is { } id
            ? $"{time}|k|{grain}|{TableKeys.Escape(id)}"
            : $"{time}|x|{grain}|{entry.OrphanEpoch.ToString("x16", CultureInfo.InvariantCulture)}|{entry.OrphanVersion.ToString("x16", CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// The window [<paramref name="from"/>, <paramref name="to"/>) in whole Unix milliseconds [From, To): a record at
    /// millisecond m is in the window exactly when From ≤ m &lt; To (both rounded up; times before 1970 count as 0, where
    /// no record is).
    /// </summary>
    public static (long From, long To) Milliseconds(DateTimeOffset from, DateTimeOffset to) => (Ceiling(from), Ceiling(to));

    /// <summary>The directory rows [From, To) naming the buckets of the non-empty window [<paramref name="fromMs"/>, <paramref name="toMs"/>).</summary>
    public static (string From, string To) Buckets(long fromMs, long toMs) => (Bucket(fromMs), TableKeys.PrefixEnd(Bucket(toMs - 1)));

    /// <summary>A bucket's rows [From, To) within the window [<paramref name="fromMs"/>, <paramref name="toMs"/>): every row key starts with its millisecond.</summary>
    public static (string From, string To) Rows(long fromMs, long toMs) => (Time(fromMs), Time(toMs));

    private static string Time(long milliseconds) => milliseconds.ToString("x16", CultureInfo.InvariantCulture);

    private static long Ceiling(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - UnixEpochTicks;
        return ticks <= 0 ? 0 : (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
    }
}
