namespace GeoGrains;

/// <summary>
/// The consistency settings of the calls made inside it (see <see cref="GeoContext"/>), and what served the last of
/// them. Dispose it to end the scope; scopes nest, the innermost setting wins.
/// </summary>
public sealed class GeoCallScope : IDisposable
{
    private readonly GeoCallScope? _outer;
    private GeoCallInfo? _last;
    private bool _disposed;

    internal GeoCallScope(GeoCallScope? outer, Consistency? read, Durability? write, GeoSession? session, string? idempotencyKey)
    {
        IdempotencyKey = idempotencyKey ?? outer?.IdempotencyKey;
        _outer = outer;
        Read = read ?? outer?.Read;
        Write = write ?? outer?.Write;
        Session = session ?? outer?.Session;
    }

    /// <summary>The read consistency of <c>[ReadOnly]</c> calls in this scope; <see langword="null"/>: each grain type's default.</summary>
    public Consistency? Read { get; }

    /// <summary>The durability of writes in this scope; <see langword="null"/>: each grain type's default.</summary>
    public Durability? Write { get; }

    /// <summary>The session the calls belong to, if any.</summary>
    public GeoSession? Session { get; }

    /// <summary>The idempotency key the writes in this scope carry (<see cref="GeoContext.Idempotent"/>); <see langword="null"/>: none.</summary>
    public string? IdempotencyKey { get; }

    /// <summary>What served the latest call to a geo grain made in this scope; <see langword="null"/> before the first.</summary>
    public GeoCallInfo? Last => Volatile.Read(ref _last);

    internal void Record(GeoCallInfo info)
    {
        Volatile.Write(ref _last, info);
        Session?.Observe(info.SessionToken);
        _outer?.Record(info);
    }

    /// <summary>Ends the scope: calls made after it use the enclosing scope's settings.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        GeoContext.Exit(this, _outer);
    }
}
