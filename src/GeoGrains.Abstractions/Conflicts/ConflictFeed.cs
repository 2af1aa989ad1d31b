namespace GeoGrains;

/// <summary>
/// The conflict feed: every <see cref="ConflictRecord"/> (active-active conflicts and failover reconciliations), kept in
/// the region that resolved it, published on <see cref="ConflictStream"/>, and listed per grain or by time with
/// <see cref="IGeoAdminGrain.GetConflicts(DateTimeOffset, DateTimeOffset, int)"/>. A time window is half-open,
/// [from, to), and compared with <see cref="ConflictRecord.ResolvedAt"/>'s wall-clock part (whole milliseconds).
/// </summary>
public static class ConflictFeed
{
    /// <summary>The most records one query by time returns (its <c>limit</c>).</summary>
    public const int MaxLimit = 1000;

    /// <summary>Checks a window [<paramref name="from"/>, <paramref name="to"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="to"/> is not after <paramref name="from"/>.</exception>
    internal static void CheckWindow(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from)
        {
            throw new ArgumentOutOfRangeException(nameof(to), to,
                $"The conflict feed's window [from, to) is empty: 'to' ({to:O}) must be after 'from' ({from:O}).");
        }
    }

    /// <summary>Checks a query by time: its window and its <paramref name="limit"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The window is empty, or <paramref name="limit"/> is not within 1 to <see cref="MaxLimit"/>.</exception>
    internal static void CheckQuery(DateTimeOffset from, DateTimeOffset to, int limit)
    {
        CheckWindow(from, to);
        if (limit is < 1 or > MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit,
                $"A query of the conflict feed by time returns 1 to {MaxLimit} records ('limit'), not {limit}.");
        }
    }
}
