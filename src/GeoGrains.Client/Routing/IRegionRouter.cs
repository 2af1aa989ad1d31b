namespace GeoGrains.Client.Routing;

/// <summary>What <see cref="GeoCallInvoker"/> needs from the client's regions; faked in unit tests.</summary>
internal interface IRegionRouter
{
    /// <summary>The regions a call tries, in order (<see cref="RegionSelector.CallOrder"/>).</summary>
    IReadOnlyList<RegionId> CallOrder(RegionId? first);

    /// <summary>The region's grain factory, connecting within <paramref name="timeout"/>.</summary>
    /// <exception cref="Regions.RegionNotReachedException">The region could not be reached; nothing was sent.</exception>
    Task<IGrainFactory> ConnectAsync(RegionId region, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Completes when the region is marked down.</summary>
    Task DownSignal(RegionId region);

    /// <summary>A call failed for a reason that is the region's (not the app's): mark it down and drop a broken connection.</summary>
    void ReportFailure(RegionId region, string reason, IGrainFactory? broken);

    /// <summary>A call was answered there.</summary>
    void ReportAnswer(RegionId region);
}
