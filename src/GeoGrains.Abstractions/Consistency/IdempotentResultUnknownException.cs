namespace GeoGrains;

/// <summary>
/// A write retried with an idempotency key that the grain's owner has already applied, but whose result it does not
/// know: the region that applied it failed (or its storage did not answer) after the write was stored and before its
/// result was, so the owner now has the write and not what the method returned. The write is not applied again.
/// </summary>
[GenerateSerializer]
public sealed class IdempotentResultUnknownException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public IdempotentResultUnknownException(string grain, string key, long version, string reason)
        : base($"The write with idempotency key '{key}' to geo grain '{grain}' was applied (version {version}) and is not applied again, but its result is not known: {reason}.")
    {
        Grain = grain;
        Key = key;
        Version = version;
    }

    /// <summary>The grain written.</summary>
    [Id(0)]
    public string Grain { get; }

    /// <summary>The idempotency key of the write.</summary>
    [Id(1)]
    public string Key { get; }

    /// <summary>The version that applied the write.</summary>
    [Id(2)]
    public long Version { get; }
}
