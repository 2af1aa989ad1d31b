namespace GeoGrains;

/// <summary>One committed version of a geo grain's state, as a reconciliation record shows it.</summary>
/// <param name="Epoch">The ownership epoch it was committed under.</param>
/// <param name="Version">Its version number.</param>
/// <param name="CommittedIn">The region that committed it.</param>
/// <param name="CommittedAt">When it was committed, on the hybrid clock.</param>
/// <param name="StateJson">The state, as the JSON text GeoGrains stores it in.</param>
[GenerateSerializer, Immutable]
public sealed record GeoGrainVersion(
    [property: Id(0)] long Epoch,
    [property: Id(1)] long Version,
    [property: Id(2)] RegionId CommittedIn,
    [property: Id(3)] HybridTimestamp CommittedAt,
    [property: Id(4)] string StateJson)
{
    /// <inheritdoc />
    public override string ToString() => $"{Epoch}.{Version} ({CommittedIn})";
}
