namespace GeoGrains.Configuration;

/// <summary>
/// Options of the ownership directory (<c>GeoGrains:Directory</c>). Each region keeps its directory as rows: partition
/// owners, one row per rehomed grain, and a log of changes by revision that silos and other regions read from where they
/// left off, so keeping copies up to date costs what changed, not the size of the directory.
/// </summary>
public sealed class OwnershipDirectoryOptions
{
    /// <summary>
    /// How many changes the log keeps (one per move, or per batch of up to 64 entries merged from another region). Default
    /// 100,000. A reader further behind than that (a silo or region away for longer) starts over from the partition owners
    /// and looks grain overrides up again as it needs them; a region further behind re-reads the other region's overrides.
    /// </summary>
    public int LogRetention { get; set; } = 100_000;

    /// <summary>
    /// The most grain overrides a silo's copy of the directory, and the directory itself, keep in memory; answers for others
    /// are read from the directory (the silo) or the region's storage (the directory) when asked. Default 100,000.
    /// </summary>
    public int MaxCachedOverrides { get; set; } = 100_000;
}
