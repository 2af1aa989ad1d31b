namespace GeoGrains.Runtime.Failover;

/// <summary>The region health observer as the other regions and the region's own silos call it. Key 0.</summary>
internal interface IRegionHealthPeer : IGrainWithIntegerKey
{
    /// <summary>A probe from another region: takes in its report and answers with this region's.</summary>
    /// <exception cref="UnknownRegionException">The reporter is not a region of the topology.</exception>
    Task<RegionHealthReport> Exchange(RegionHealthReport report);

    /// <summary>Activates the observer if it is not running (e.g. after the silo that ran it died).</summary>
    Task Ensure();
}
