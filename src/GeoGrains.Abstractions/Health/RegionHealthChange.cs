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
}
