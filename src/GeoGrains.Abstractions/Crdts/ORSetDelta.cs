using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace GeoGrains.Crdts;

/// <summary>
/// What an <see cref="ORSet{T}"/> copy has that an earlier copy of it lacks (<see cref="ORSet{T}.DeltaSince"/>): the
/// adds made since, and which adds the delta has seen: every change in (<see cref="ObservedRemoveDelta{TEntry}.Floor"/>,
/// <see cref="ObservedRemoveDelta{TEntry}.Context"/>] per region, plus the <see cref="ObservedRemoveDelta{TEntry}.Removed"/>
/// adds that the earlier copy held. A receiver that has seen the floor joins it (<see cref="ORSet{T}.MergeDelta"/>) with
/// the same result as joining the whole copy. Its size follows the changes since the earlier copy, not the set.
/// Canonical: equal deltas serialize to the same bytes.
/// </summary>
/// <remarks>
/// Its <see cref="ObservedRemoveDelta{TEntry}.Entries"/> are the elements added since the earlier copy and still
/// present, each with those adds; <see cref="ObservedRemoveDelta{TEntry}.Removed"/> are the adds the earlier copy held
/// that the newer one no longer holds (removed, or superseded by a newer add).
/// </remarks>
/// <typeparam name="T">The element type.</typeparam>
[GenerateSerializer, Immutable]
public sealed class ORSetDelta<T> : ObservedRemoveDelta<DottedEntry<T, byte>>, IEquatable<ORSetDelta<T>>
    where T : notnull
{
    /// <summary>Creates a delta from its parts.</summary>
    /// <exception cref="InvalidCrdtOperationException">
    /// <paramref name="floor"/> is not at or below <paramref name="context"/>, an entry's add is outside
    /// (<paramref name="floor"/>, <paramref name="context"/>], or a removed add is above <paramref name="floor"/>.
    /// </exception>
    [JsonConstructor]
    public ORSetDelta(ImmutableArray<DottedEntry<T, byte>> entries, VersionVector floor, VersionVector context, ImmutableArray<Dot> removed)
        : base("OR-Set", DottedEntries.Canonical(entries.IsDefault ? [] : entries), floor, context, removed, e => e.Dots)
    {
    }

    /// <inheritdoc />
    public bool Equals(ORSetDelta<T>? other) => SameAs(other);

    /// <inheritdoc />
    public override string ToString() => $"+{{{string.Join(", ", Entries.Select(e => e.Key))}}} -[{string.Join(", ", Removed)}] ({Floor}, {Context}]";
}
