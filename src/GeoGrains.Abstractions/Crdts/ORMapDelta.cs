using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace GeoGrains.Crdts;

/// <summary>
/// What an <see cref="ORMap{TKey, TValue}"/> copy has that an earlier copy of it lacks
/// (<see cref="ORMap{TKey, TValue}.DeltaSince"/>): the updates made since, and which updates the delta has seen: every
/// change in (<see cref="ObservedRemoveDelta{TEntry}.Floor"/>, <see cref="ObservedRemoveDelta{TEntry}.Context"/>] per
/// region, plus the <see cref="ObservedRemoveDelta{TEntry}.Removed"/> updates that the earlier copy held. A receiver
/// that has seen the floor joins it (<see cref="ORMap{TKey, TValue}.MergeDelta"/>) with the same result as joining the
/// whole copy. Canonical: equal deltas serialize to the same bytes.
/// </summary>
/// <remarks>
/// Its <see cref="ObservedRemoveDelta{TEntry}.Entries"/> are the updates made since the earlier copy and still
/// surviving, by key, then dot; <see cref="ObservedRemoveDelta{TEntry}.Removed"/> are the updates the earlier copy held
/// that the newer one no longer holds (replaced or removed).
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The nested CRDT.</typeparam>
[GenerateSerializer, Immutable]
public sealed class ORMapDelta<TKey, TValue> : ObservedRemoveDelta<ORMapEntry<TKey, TValue>>, IEquatable<ORMapDelta<TKey, TValue>>
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
        : base("OR-Map", ORMap<TKey, TValue>.Canonical(entries), floor, context, removed, e => [e.Dot])
    {
    }

    /// <inheritdoc />
    public bool Equals(ORMapDelta<TKey, TValue>? other) => SameAs(other);
}
