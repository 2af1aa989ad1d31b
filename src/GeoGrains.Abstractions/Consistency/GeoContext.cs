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

    /// <summary>A scope with any of the settings; <see langword="null"/> ones come from the enclosing scope or the grain type.</summary>
    public static GeoCallScope Use(Consistency? read = null, Durability? write = null, GeoSession? session = null) => Enter(read, write, session);

    private static GeoCallScope Enter(Consistency? read, Durability? write, GeoSession? session)
    {
        var scope = new GeoCallScope(Scope.Value, read, write, session);
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
