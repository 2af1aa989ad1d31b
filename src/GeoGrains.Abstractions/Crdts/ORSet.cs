using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace GeoGrains.Crdts;

/// <summary>
/// An observed-remove set where an add wins over a concurrent remove: a remove takes away the adds of the element it
/// has seen, so an add it has not seen (made concurrently in another region) keeps the element. No tombstones: each
/// copy's causal context (<see cref="Context"/>) records which adds it has seen. Immutable: operations return the new copy.
/// </summary>
/// <typeparam name="T">The element type: compared by value, serializable to JSON.</typeparam>
[GenerateSerializer, Immutable]
public sealed class ORSet<T> : IDeltaCrdt<ORSet<T>, ORSetDelta<T>>, IEquatable<ORSet<T>>
    where T : notnull
{
    /// <summary>The empty set.</summary>
    public static ORSet<T> Empty { get; } = new([], VersionVector.Empty);

    /// <summary>Creates a set from its entries and causal context.</summary>
    [JsonConstructor]
    public ORSet(ImmutableArray<DottedEntry<T, byte>> entries, VersionVector context)
    {
        Entries = DottedEntries.Canonical(entries.IsDefault ? [] : entries);
        Context = context ?? VersionVector.Empty;
    }

    /// <summary>The present elements with the adds that keep them, in canonical order.</summary>
    [Id(0)]
    public ImmutableArray<DottedEntry<T, byte>> Entries { get; }

    /// <summary>Every add this copy has seen, removed or not.</summary>
    [Id(1)]
    public VersionVector Context { get; }

    /// <summary>The present elements, in canonical order.</summary>
    [JsonIgnore]
    public IEnumerable<T> Elements => Entries.Select(e => e.Key);

    /// <summary>Whether <paramref name="element"/> is present.</summary>
    public bool Contains(T element) => Entries.Any(e => EqualityComparer<T>.Default.Equals(e.Key, element));

    /// <summary>The set after <paramref name="replica"/> added <paramref name="element"/>; the add supersedes those it saw.</summary>
    public ORSet<T> Add(RegionId replica, T element)
    {
        var dot = Context.Next(replica);
        return new([.. Entries.Where(e => !EqualityComparer<T>.Default.Equals(e.Key, element)), new DottedEntry<T, byte>(element, [dot], 0)], Context.With(dot));
    }

    /// <summary>The set without <paramref name="element"/>: the adds seen here are removed; one made concurrently elsewhere wins.</summary>
    public ORSet<T> Remove(T element) => Contains(element) ? new([.. Entries.Where(e => !EqualityComparer<T>.Default.Equals(e.Key, element))], Context) : this;

    /// <inheritdoc />
    public ORSet<T> Merge(ORSet<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(DottedEntries.Join(Entries, Context, other.Entries, other.Context), Context.Merge(other.Context));
    }

    /// <inheritdoc />
    /// <remarks>
    /// The delta carries the adds made since <paramref name="earlier"/>, and as its context the changes since
    /// <paramref name="earlier"/>'s context plus the adds <paramref name="earlier"/> held that this copy no longer does:
    /// a receiver that has seen <paramref name="earlier"/> drops exactly what this copy removed since.
    /// </remarks>
    public ORSetDelta<T> DeltaSince(ORSet<T> earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        CausalDeltas.RequireEarlier("OR-Set", earlier.Context, Context);

        // An add earlier's context has seen and earlier no longer holds was removed before: a receiver that has seen
        // earlier does not hold it either, so the delta need not name it.
        return new(
            [.. Entries.Select(e => e with { Dots = [.. e.Dots.Where(d => !earlier.Context.Contains(d))] })],
            earlier.Context,
            Context,
            CausalDeltas.Removed(earlier.Entries.SelectMany(e => e.Dots), Entries.SelectMany(e => e.Dots)));
    }

    /// <inheritdoc />
    /// <exception cref="InvalidCrdtOperationException">This copy has not seen the delta's <see cref="ObservedRemoveDelta{TEntry}.Floor"/>.</exception>
    public ORSet<T> MergeDelta(ORSetDelta<T> delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        CausalDeltas.RequireSeen("OR-Set", Context, delta.Floor);
        return new(DottedEntries.Join(Entries, Context.Contains, delta.Entries, delta.Covers), Context.Merge(delta.Context));
    }

    /// <inheritdoc />
    public bool Equals(ORSet<T>? other) => other is not null && Entries.SequenceEqual(other.Entries) && Context.Equals(other.Context);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ORSet<T>);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Entries.Length, Context);

    /// <inheritdoc />
    public override string ToString() => $"{{{string.Join(", ", Elements)}}}";
}
