using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace GeoGrains.Crdts;

/// <summary>
/// A multi-value register: an assignment replaces every value it has seen; assignments made concurrently in different
/// regions are all kept (<see cref="Values"/>) for the application to resolve, by assigning again. Immutable: operations
/// return the new copy.
/// </summary>
/// <typeparam name="T">The value type: compared by value, serializable to JSON.</typeparam>
[GenerateSerializer, Immutable]
public sealed class MVRegister<T> : ICrdt<MVRegister<T>>, IEquatable<MVRegister<T>>
    where T : notnull
{
    /// <summary>A register never assigned.</summary>
    public static MVRegister<T> Empty { get; } = new([], VersionVector.Empty);

    /// <summary>Creates a register from its entries (each value with the assignment that made it) and causal context.</summary>
    [JsonConstructor]
    public MVRegister(ImmutableArray<DottedEntry<Dot, T>> entries, VersionVector context)
    {
        Entries = DottedEntries.Canonical(entries.IsDefault ? [] : entries);
        Context = context ?? VersionVector.Empty;
    }

    /// <summary>The current assignments, keyed by the assignment's dot.</summary>
    [Id(0)]
    public ImmutableArray<DottedEntry<Dot, T>> Entries { get; }

    /// <summary>Every assignment this copy has seen.</summary>
    [Id(1)]
    public VersionVector Context { get; }

    /// <summary>The values of the concurrent assignments not yet replaced: none before the first, one unless assignments were concurrent.</summary>
    [JsonIgnore]
    public IReadOnlyList<T> Values => [.. Entries.Select(e => e.Value).Distinct().Order(CrdtOrder.For<T>())];

    /// <summary>The register after <paramref name="replica"/> assigned <paramref name="value"/>, replacing every value seen here.</summary>
    public MVRegister<T> Assign(RegionId replica, T value)
    {
        var dot = Context.Next(replica);
        return new([new DottedEntry<Dot, T>(dot, [dot], value)], Context.With(dot));
    }

    /// <inheritdoc />
    public MVRegister<T> Merge(MVRegister<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(DottedEntries.Join(Entries, Context, other.Entries, other.Context), Context.Merge(other.Context));
    }

    /// <inheritdoc />
    public bool Equals(MVRegister<T>? other) => other is not null && Entries.SequenceEqual(other.Entries) && Context.Equals(other.Context);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as MVRegister<T>);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Entries.Length, Context);

    /// <inheritdoc />
    public override string ToString() => $"[{string.Join(" | ", Values)}]";
}
