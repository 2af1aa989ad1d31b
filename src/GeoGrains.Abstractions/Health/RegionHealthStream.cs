namespace GeoGrains;

/// <summary>
/// Where health changes are published: each region has one Orleans stream of <see cref="RegionHealthEvent"/> in
/// namespace <see cref="Namespace"/> of provider <see cref="ProviderName"/>, keyed by the region id (e.g. <c>"eu-west"</c>),
/// carrying the changes of that region's view in the order it made them.
/// </summary>
public static class RegionHealthStream
{
    /// <summary>The stream provider name (the same provider as the change feed).</summary>
    public const string ProviderName = GeoChangeFeed.ProviderName;

    /// <summary>The stream namespace.</summary>
    public const string Namespace = "geograins.health";
}
