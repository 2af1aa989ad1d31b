namespace GeoGrains.Client.Regions;

/// <summary>
/// A call could not be sent to a region (no connection, refused before sending): it was not executed there, so it may be
/// sent to another region, writes included. Internal: callers see <see cref="NoRegionAvailableException"/>.
/// </summary>
internal sealed class RegionNotReachedException(RegionId region, string reason, Exception? inner = null) : Exception($"Region '{region}' was not reached: {reason}.", inner)
{
    public RegionId Region => region;

    public string Reason => reason;
}
