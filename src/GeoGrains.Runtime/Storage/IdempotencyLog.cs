namespace GeoGrains.Runtime.Storage;

/// <summary>
/// The rules of a grain record's dedup section (<see cref="GeoRecord.Applied"/>): the keyed writes applied within the
/// window, oldest first. Pure functions of the section, so that every owner, old or new, follows the same rules.
/// </summary>
internal static class IdempotencyLog
{
    /// <summary>
    /// The entry of <paramref name="key"/>, if a write with it was applied within <paramref name="window"/> of
    /// <paramref name="now"/>. An entry older than the window counts as gone even before a write drops it, so whether a
    /// retry applies again never depends on whether the grain was written since.
    /// </summary>
    public static IdempotencyEntry? Find(IdempotencyEntry[]? entries, string key, HybridTimestamp now, TimeSpan window)
    {
        if (entries is null)
        {
            return null;
        }

        foreach (var entry in entries)
        {
            if (entry.Key == key)
            {
                return IsLive(entry, now, window) ? entry : null;
            }
        }

        return null;
    }

    /// <summary>
    /// The section of a new version committed at <paramref name="now"/>: entries older than <paramref name="window"/>
    /// dropped, then, for a keyed write (<paramref name="key"/>) not in it yet, its entry added without an outcome; the
    /// oldest entries go beyond <paramref name="maxEntries"/>. A key already in it (a method that writes twice) keeps
    /// its first entry: the write is one, whatever number of versions it took. <see langword="null"/> when empty.
    /// </summary>
    public static IdempotencyEntry[]? Commit(
        IdempotencyEntry[]? entries, string? key, long version, HybridTimestamp now, TimeSpan window, int maxEntries)
    {
        var kept = new List<IdempotencyEntry>((entries?.Length ?? 0) + 1);
        if (entries is not null)
        {
            kept.AddRange(entries.Where(e => IsLive(e, now, window)));
        }

        if (key is not null && !kept.Exists(e => e.Key == key))
        {
            kept.Add(new IdempotencyEntry(key, version, now));
        }

        if (kept.Count > maxEntries)
        {
            kept.RemoveRange(0, kept.Count - maxEntries);
        }

        return kept.Count == 0 ? null : [.. kept];
    }

    /// <summary>
    /// The section with <paramref name="key"/>'s outcome recorded; <see langword="null"/> when there is nothing to record
    /// (no entry for the key, or it has an outcome already: the first one stays).
    /// </summary>
    public static IdempotencyEntry[]? Settle(IdempotencyEntry[]? entries, string key, byte[] outcome)
    {
        if (entries is null)
        {
            return null;
        }

        var index = Array.FindIndex(entries, e => e.Key == key);
        if (index < 0 || entries[index].Outcome is not null)
        {
            return null;
        }

        var settled = (IdempotencyEntry[])entries.Clone();
        settled[index] = entries[index] with { Outcome = outcome };
        return settled;
    }

    private static bool IsLive(IdempotencyEntry entry, HybridTimestamp now, TimeSpan window) =>
        entry.AppliedAt.PhysicalMilliseconds >= now.PhysicalMilliseconds - (long)window.TotalMilliseconds;
}
