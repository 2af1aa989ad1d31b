using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace GeoGrains.Crdts;

/// <summary>
/// What an <see cref="ORMap{TKey, TValue}"/> copy has that an earlier copy of it lacks
/// (<see cref="ORMap{TKey, TValue}.DeltaSince"/>): the updates made since, and which updates the delta has seen: every
/// change in (<see cref="Floor"/>, <see cref="Context"/>] per region, plus the <see cref="Removed"/> updates that the
/// earlier copy held. A receiver that has seen <see cref="Floor"/> joins it (<see cref="ORMap{TKey, TValue}.MergeDelta"/>)
/// with the same result as joining the whole copy. Canonical: equal deltas serialize to the same bytes.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The nested CRDT.</typeparam>
[GenerateSerializer, Immutable]
public sealed class ORMapDelta<TKey, TValue> : IEquatable<ORMapDelta<TKey, TValue>>
    where TKey : notnull
    where TValue : ICrdt<TValue>
{
    /// <summary>Creates a delta from its parts.</summary>
    /// <exception cref="InvalidCrdtOperationException">
    /// <paramref name="floor"/> is not at or below <paramref name="context"/>, an entry's update is outside
    /// (<paramref name="floor"/>, <paramref name="context"/>], or a removed update is above <paramref name="floor"/>.
    /// </exception>
    [JsonConstructor]
    public ORMapDelta(ImmutableArray<ORMapEntry<TKey, TValue>> entries, VersionVector floor, VersionVector context, ImmutableArray<Dot> removed)
    {
        Entries = ORMap<TKey, TValue>.Canonical(entries);
        Floor = floor ?? VersionVector.Empty;
        Context = context ?? VersionVector.Empty;
        Removed = CausalDeltas.Canonical(removed);
        CausalDeltas.Validate("OR-Map", Floor, Context, Entries.Select(e => e.Dot), Removed);
    }

    /// <summary>The updates made since the earlier copy and still surviving, in canonical order (by key, then dot).</summary>
    [Id(0)]
    public ImmutableArray<ORMapEntry<TKey, TValue>> Entries { get; }

    /// <summary>The earlier copy's context: a receiver must have seen it.</summary>
    [Id(1)]
    public VersionVector Floor { get; }

    /// <summary>The newer copy's context: a receiver has seen it after the join.</summary>
    [Id(2)]
    public VersionVector Context { get; }

    /// <summary>The updates the earlier copy held that the newer one no longer holds (replaced or removed), sorted.</summary>
    [Id(3)]
    public ImmutableArray<Dot> Removed { get; }

    /// <inheritdoc />
    public bool Equals(ORMapDelta<TKey, TValue>? other) =>
        other is not null && Entries.SequenceEqual(other.Entries) && Floor.Equals(other.Floor) && Context.Equals(other.Context)
        && Removed.SequenceEqual(other.Removed);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ORMapDelta<TKey, TValue>);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Entries.Length, Floor, Context, Removed.Length);

    /// <summary>Whether the delta has seen <paramref name="dot"/>: it is in the interval or removed.</summary>
    internal bool Covers(Dot dot) => CausalDeltas.Covers(Floor, Context, Removed, dot);
}
