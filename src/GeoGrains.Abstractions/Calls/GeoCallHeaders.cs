namespace GeoGrains.Calls;

/// <summary>
/// The <c>RequestContext</c> entries a call to a geo grain carries: plain strings, so that every hop (clients, silos,
/// the links between regions) can carry them without knowing GeoGrains' types.
/// </summary>
internal static class GeoCallHeaders
{
    /// <summary>The read consistency (<see cref="Consistency.ToString"/>).</summary>
    public const string Read = "geo.read";

    /// <summary>The write durability (<see cref="Durability.ToString"/>).</summary>
    public const string Write = "geo.write";

    /// <summary>The caller's session token.</summary>
    public const string Session = "geo.session";

    /// <summary>The write's idempotency key (<see cref="GeoContext.Idempotent"/>): a string of at most 128 characters.</summary>
    public const string IdempotencyKey = "geo.idem";

    /// <summary>Present when the caller can take a <see cref="GeoResponse"/>, i.e. runs <see cref="GeoCallContextFilter"/>.</summary>
    public const string WantsInfo = "geo.info";
}
