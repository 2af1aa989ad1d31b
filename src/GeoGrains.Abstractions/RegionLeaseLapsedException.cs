namespace GeoGrains;

/// <summary>
/// The region that owns the grain does not hold its ownership lease: a majority of regions has not confirmed it within
/// the lease period (the region is cut off from them, paused, or has just started), so another region may be taking
/// its grains over. The region refuses writes and strong reads until a majority confirms its lease again or the grain's
/// new owner is known; eventual reads are still served, from a copy that may be stale.
/// </summary>
/// <remarks>
/// When <see cref="MayHaveCommitted"/> is <see langword="true"/>, the lease lapsed while the write was being stored: the
/// version is in the region's storage but was not acknowledged; if another region took the grain over meanwhile, it
/// comes back as an orphaned version when the regions reconnect, and is reconciled, never silently dropped.
/// </remarks>
[GenerateSerializer]
public sealed class RegionLeaseLapsedException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public RegionLeaseLapsedException(RegionId region, string grain, bool mayHaveCommitted, string reason)
        : base(mayHaveCommitted
            ? $"Region '{region}' lost its ownership lease while storing a write to geo grain '{grain}': the write's outcome is unknown ({reason})."
            : $"Region '{region}' does not hold its ownership lease, so it does not take writes to geo grain '{grain}' ({reason}); the write was not applied.")
    {
        Region = region;
        Grain = grain;
        MayHaveCommitted = mayHaveCommitted;
    }

    /// <summary>The region without a lease.</summary>
    [Id(0)]
    public RegionId Region { get; }

    /// <summary>The grain the call was for.</summary>
    [Id(1)]
    public string Grain { get; }

    /// <summary>Whether the write may have been stored in the region before its lease lapsed (its outcome is unknown).</summary>
    [Id(2)]
    public bool MayHaveCommitted { get; }
}
