namespace GeoGrains;

/// <summary>
/// Where reconciliations are published: each region has one Orleans stream of <see cref="ReconciliationRecord"/> in
/// namespace <see cref="Namespace"/> of provider <see cref="ProviderName"/>, keyed by the region id (e.g. <c>"eu-west"</c>),
/// carrying the orphaned versions that region reconciled as their grains' owner.
/// </summary>
public static class ReconciliationStream
{
    /// <summary>The stream provider name (the same provider as the change feed).</summary>
    public const string ProviderName = GeoChangeFeed.ProviderName;

    /// <summary>The stream namespace.</summary>
    public const string Namespace = "geograins.reconciliation";
}
