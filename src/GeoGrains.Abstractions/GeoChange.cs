namespace GeoGrains;

/// <summary>
/// One committed version of a geo grain, as published on the change feed of the region that committed it (the Orleans
/// stream <see cref="GeoChangeFeed.Namespace"/> of provider <see cref="GeoChangeFeed.ProviderName"/>, keyed by the region id).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record GeoChange(
    [property: Id(0)] GrainId Grain,
    [property: Id(1)] long Version,
    [property: Id(2)] long Epoch,
    [property: Id(3)] HybridTimestamp CommittedAt,
    [property: Id(4)] RegionId Region,
    [property: Id(5)] string StateJson);

/// <summary>Where the change feed is published.</summary>
public static class GeoChangeFeed
{
    /// <summary>The stream provider name.</summary>
    public const string ProviderName = "GeoGrains";

    /// <summary>
    /// The stream namespace. Each region has one stream, keyed by the region id (e.g. <c>"eu-west"</c>), carrying every
    /// version committed in that region, in commit order for each grain.
    /// </summary>
    public const string Namespace = "geograins.changes";
}
