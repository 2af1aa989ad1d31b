namespace GeoGrains.Configuration;

/// <summary>How long, and how many, keyed writes a grain remembers (<see cref="GeoContext.Idempotent"/>).</summary>
public sealed class IdempotencyOptions
{
    /// <summary>
    /// How long after a keyed write was applied a retry with its key gets the first result rather than being applied
    /// again. Counted from the write's commit time; older entries are dropped when the grain is next written. Default 5
    /// minutes: longer than a client's retries across a regional failover take.
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The most keyed writes a grain remembers at once; beyond it, the oldest are dropped before the window ends. The
    /// entries (key and result) are part of the grain's record, written and shipped with every version, so this bounds
    /// what a busy grain's record carries. Default 100.
    /// </summary>
    public int MaxEntriesPerGrain { get; set; } = 100;
}
