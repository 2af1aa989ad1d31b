using System.Globalization;

namespace GeoGrains;

/// <summary>
/// A read consistency level for one call or a scope of calls (<see cref="GeoContext.Read"/>); a grain type's default is
/// set with <see cref="GeoGrainAttribute.Reads"/>.
/// </summary>
public sealed class Consistency : IEquatable<Consistency>
{
    private Consistency(ReadConsistency level, TimeSpan? maxStaleness)
    {
        Level = level;
        MaxStaleness = maxStaleness;
    }

    /// <summary>Linearizable reads, served by the owner region.</summary>
    public static Consistency Strong { get; } = new(ReadConsistency.Strong, null);

    /// <summary>Read-your-writes and monotonic reads within the caller's <see cref="GeoSession"/>.</summary>
    public static Consistency Session { get; } = new(ReadConsistency.Session, null);

    /// <summary>The local replica, always.</summary>
    public static Consistency Eventual { get; } = new(ReadConsistency.Eventual, null);

    /// <summary>The level.</summary>
    public ReadConsistency Level { get; }

    /// <summary>With <see cref="ReadConsistency.BoundedStaleness"/>: how far behind the owner a local answer may be.</summary>
    public TimeSpan? MaxStaleness { get; }

    /// <summary>The local replica if it is provably within <paramref name="maxLag"/> of the owner, otherwise the owner.</summary>
    /// <exception cref="InvalidConsistencyException"><paramref name="maxLag"/> is zero or negative.</exception>
    public static Consistency BoundedStaleness(TimeSpan maxLag) =>
        maxLag > TimeSpan.Zero
            ? new(ReadConsistency.BoundedStaleness, maxLag)
            : throw new InvalidConsistencyException($"BoundedStaleness needs a positive bound; {maxLag} is not.");

    /// <summary>The level a grain type declares in its <see cref="GeoGrainAttribute"/>.</summary>
    /// <exception cref="InvalidConsistencyException">The level is not defined, or a bounded staleness has no positive bound.</exception>
    public static Consistency Of(ReadConsistency level, TimeSpan? maxStaleness = null) => level switch
    {
        ReadConsistency.Strong => Strong,
        ReadConsistency.Session => Session,
        ReadConsistency.Eventual => Eventual,
        ReadConsistency.BoundedStaleness => maxStaleness is { } bound
            ? BoundedStaleness(bound)
            : throw new InvalidConsistencyException("BoundedStaleness needs its bound (GeoGrainAttribute.MaxStalenessMilliseconds)."),
        _ => throw new InvalidConsistencyException($"'{(int)level}' is not a read consistency level; use Strong, BoundedStaleness, Session or Eventual."),
    };

    /// <summary>The form a call carries it in: "strong", "session", "eventual" or "bounded:&lt;milliseconds&gt;".</summary>
    public override string ToString() => Level switch
    {
        ReadConsistency.BoundedStaleness => string.Create(CultureInfo.InvariantCulture, $"bounded:{MaxStaleness!.Value.TotalMilliseconds:0.###}"),
        _ => Level.ToString().ToLowerInvariant(),
    };

    /// <summary>Reads the form <see cref="ToString"/> writes.</summary>
    /// <exception cref="InvalidConsistencyException">It is no read consistency level.</exception>
    public static Consistency Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        switch (value)
        {
            case "strong": return Strong;
            case "session": return Session;
            case "eventual": return Eventual;
        }

        if (value.StartsWith("bounded:", StringComparison.Ordinal)
            && double.TryParse(value.AsSpan("bounded:".Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds)
            && double.IsFinite(milliseconds))
        {
            return BoundedStaleness(TimeSpan.FromMilliseconds(milliseconds));
        }

        throw new InvalidConsistencyException($"'{value}' is not a read consistency level; use strong, session, eventual or bounded:<milliseconds>.");
    }

    /// <inheritdoc />
    public bool Equals(Consistency? other) => other is not null && Level == other.Level && MaxStaleness == other.MaxStaleness;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Consistency);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Level, MaxStaleness);
}
