namespace GeoGrains;

/// <summary>What changed in an observer's view of another region's health.</summary>
public enum RegionHealthChange
{
    /// <summary>The observer's probes of the region failed the configured number of times in a row.</summary>
    Suspected,

    /// <summary>A probe of a region the observer suspected succeeded again.</summary>
    Cleared,

    /// <summary>A majority of all regions (the observer included) suspect the region.</summary>
    DeclaredDown,

    /// <summary>A region declared down is no longer suspected by a majority of all regions.</summary>
    DeclaredUp,

    /// <summary>
    /// The observer's own ownership lease lapsed (the subject is the observer): a majority of regions has not confirmed it
    /// within the lease period, so the region stopped taking writes.
    /// </summary>
    LeaseLapsed,

    /// <summary>A majority of regions confirms the observer's lease again (the subject is the observer).</summary>
    LeaseRegained,

    /// <summary>
    /// The regions agreed to move everything the subject owned to successor regions, under a higher epoch; the event's
    /// detail names the epoch and the successors.
    /// </summary>
    OwnershipTransferred,

    /// <summary>The observer, a successor, served the first write to a grain it took over from the subject.</summary>
    FirstWriteServed,

    /// <summary>
    /// The regions agreed to give the subject back what it owned (it returned and stayed healthy, or
    /// <c>RestoreRegionAsync</c> was called); the event's detail names the epoch.
    /// </summary>
    FailedBack,
}
