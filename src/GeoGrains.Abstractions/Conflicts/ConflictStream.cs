namespace GeoGrains;

/// <summary>
/// Where conflicts are published: each region has one Orleans stream of <see cref="ConflictRecord"/> in namespace
/// <see cref="Namespace"/> of provider <see cref="ProviderName"/>, keyed by the region id (e.g. <c>"eu-west"</c>),
/// carrying the conflicts that region resolved.
/// </summary>
public static class ConflictStream
{
    /// <summary>The stream provider name (the same provider as the change feed).</summary>
    public const string ProviderName = GeoChangeFeed.ProviderName;

    /// <summary>The stream namespace.</summary>
    public const string Namespace = "geograins.conflicts";
}
