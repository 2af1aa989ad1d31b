namespace GeoGrains;

/// <summary>
/// Per-call consistency for geo grains, as a scope around ordinary Orleans calls:
/// <code>
/// using (var scope = GeoContext.Read(Consistency.Strong))
/// {
///     var profile = await grains.GetGrain&lt;IProfileGrain&gt;("eu-west/alice").Get();
///     Console.WriteLine($"served by {scope.Last!.ServedBy}, {scope.Last.Lag.TotalMilliseconds} ms behind");
/// }
/// </code>
/// The settings travel with each call made in the scope (in Orleans' <c>RequestContext</c>); what served the call comes
/// back to <see cref="GeoCallScope.Last"/> when the caller has GeoGrains' call filter (every silo running GeoGrains,
/// and clients built with <c>AddGeoGrainsClient()</c>).
/// </summary>
public static class GeoContext
{
    private static readonly AsyncLocal<GeoCallScope?> Scope = new();

    /// <summary>The innermost scope of the current flow, if any.</summary>
    public static GeoCallScope? Current => Scope.Value;

    /// <summary><c>[ReadOnly]</c> calls in the scope read at <paramref name="level"/>.</summary>
    public static GeoCallScope Read(Consistency level)
    {
        ArgumentNullException.ThrowIfNull(level);
        return Enter(level, null, null);
    }

    /// <summary>Writes in the scope are acknowledged as <paramref name="durability"/> says.</summary>
    public static GeoCallScope Write(Durability durability)
    {
        ArgumentNullException.ThrowIfNull(durability);
        return Enter(null, durability, null);
    }

    /// <summary>
    /// Calls in the scope belong to <paramref name="session"/>: each carries its token and updates it. Reads are at
    /// <see cref="Consistency.Session"/> unless <paramref name="read"/> says otherwise.
    /// </summary>
    public static GeoCallScope Session(GeoSession session, Consistency? read = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Enter(read ?? Consistency.Session, null, session);
    }

    /// <summary>
    /// Writes in the scope carry <paramref name="key"/>: the grain's owner applies a write with a key at most once and
    /// answers every retry with the same key (within <c>GeoGrains:Idempotency:Window</c>) with the first result, also
    /// after a failover moved the grain. Use one key per logical write, kept across its retries:
    /// <code>
    /// var key = Guid.NewGuid().ToString();
    /// using (GeoContext.Idempotent(key)) { receipt = await orders.Place(order); }   // again, with the same key, on a timeout
    /// </code>
    /// </summary>
    /// <remarks>
    /// Reads ignore the key. A write whose first attempt was applied but whose result was lost with the region that applied
    /// it fails with <see cref="IdempotentResultUnknownException"/> rather than run again. The key is not passed on to the
    /// calls the grain makes while it runs.
    /// </remarks>
    /// <param name="key">A string chosen by the caller, at most <see cref="IdempotencyKeys.MaxLength"/> characters (a GUID is a good key).</param>
    /// <exception cref="InvalidIdempotencyKeyException"><paramref name="key"/> is empty, too long or holds control characters.</exception>
    public static GeoCallScope Idempotent(string key) => Enter(null, null, null, IdempotencyKeys.Check(key));

    /// <summary>A scope with any of the settings; <see langword="null"/> ones come from the enclosing scope or the grain type.</summary>
    /// <exception cref="InvalidIdempotencyKeyException"><paramref name="idempotencyKey"/> is given and cannot be used.</exception>
    public static GeoCallScope Use(Consistency? read = null, Durability? write = null, GeoSession? session = null, string? idempotencyKey = null) =>
        Enter(read, write, session, idempotencyKey is null ? null : IdempotencyKeys.Check(idempotencyKey));

    private static GeoCallScope Enter(Consistency? read, Durability? write, GeoSession? session, string? idempotencyKey = null)
    {
        var scope = new GeoCallScope(Scope.Value, read, write, session, idempotencyKey);
        Scope.Value = scope;
        return scope;
    }

    internal static void Exit(GeoCallScope scope, GeoCallScope? outer)
    {
        // Only the flow that entered the scope leaves it; a scope disposed elsewhere just stops recording.
        if (ReferenceEquals(Scope.Value, scope))
        {
            Scope.Value = outer;
        }
    }
}
