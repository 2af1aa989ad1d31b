using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace GeoGrains.Crdts;

/// <summary>
/// What an <see cref="ORSet{T}"/> copy has that an earlier copy of it lacks (<see cref="ORSet{T}.DeltaSince"/>): the
/// adds made since, and which adds the delta has seen: every change in (<see cref="Floor"/>, <see cref="Context"/>] per
/// region, plus the <see cref="Removed"/> adds that the earlier copy held. A receiver that has seen <see cref="Floor"/>
/// joins it (<see cref="ORSet{T}.MergeDelta"/>) with the same result as joining the whole copy. Its size follows the
/// changes since the earlier copy, not the set. Canonical: equal deltas serialize to the same bytes.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
[GenerateSerializer, Immutable]
public sealed class ORSetDelta<T> : IEquatable<ORSetDelta<T>>
    where T : notnull
{
    /// <summary>Creates a delta from its parts.</summary>
    /// <exception cref="InvalidCrdtOperationException">
    /// <paramref name="floor"/> is not at or below <paramref name="context"/>, an entry's add is outside
    /// (<paramref name="floor"/>, <paramref name="context"/>], or a removed add is above <paramref name="floor"/>.
    /// </exception>
    [JsonConstructor]
    public ORSetDelta(ImmutableArray<DottedEntry<T, byte>> entries, VersionVector floor, VersionVector context, ImmutableArray<Dot> removed)
    {
        Entries = DottedEntries.Canonical(entries.IsDefault ? [] : entries);
        Floor = floor ?? VersionVector.Empty;
        Context = context ?? VersionVector.Empty;
        Removed = CausalDeltas.Canonical(removed);
        CausalDeltas.Validate("OR-Set", Floor, Context, Entries.SelectMany(e => e.Dots), Removed);
    }

    /// <summary>The elements added since the earlier copy and still present, each with those adds, in canonical order.</summary>
    [Id(0)]
    public ImmutableArray<DottedEntry<T, byte>> Entries { get; }

    /// <summary>The earlier copy's context: a receiver must have seen it.</summary>
    [Id(1)]
    public VersionVector Floor { get; }

    /// <summary>The newer copy's context: a receiver has seen it after the join.</summary>
    [Id(2)]
    public VersionVector Context { get; }

    /// <summary>The adds the earlier copy held that the newer one no longer holds (removed, or superseded by a newer add), sorted.</summary>
    [Id(3)]
    public ImmutableArray<Dot> Removed { get; }

    /// <inheritdoc />
    public bool Equals(ORSetDelta<T>? other) =>
        other is not null && Entries.SequenceEqual(other.Entries) && Floor.Equals(other.Floor) && Context.Equals(other.Context)
        && Removed.SequenceEqual(other.Removed);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ORSetDelta<T>);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Entries.Length, Floor, Context, Removed.Length);

    /// <inheritdoc />
    public override string ToString() => $"+{{{string.Join(", ", Entries.Select(e => e.Key))}}} -[{string.Join(", ", Removed)}] ({Floor}, {Context}]";

    /// <summary>Whether the delta has seen <paramref name="dot"/>: it is in the interval or removed.</summary>
    internal bool Covers(Dot dot) => CausalDeltas.Covers(Floor, Context, Removed, dot);
}
