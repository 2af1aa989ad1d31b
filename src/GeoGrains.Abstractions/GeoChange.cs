namespace GeoGrains;

/// <summary>
/// One committed version of a geo grain, as published on the change feed (the Orleans stream
/// <see cref="GeoChangeFeed.Namespace"/> of provider <see cref="GeoChangeFeed.ProviderName"/>, keyed by the grain id).
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

    /// <summary>The stream namespace; the stream key is the grain id's string form.</summary>
    public const string Namespace = "geograins.changes";
}
