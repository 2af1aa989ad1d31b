using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace GeoGrains.Crdts;

/// <summary>
/// An observed-remove map of nested CRDTs. Each update of a key is kept as its own entry (the key, the update's dot and
/// the value it wrote) until an update or remove that saw it replaces it; a key is present while it has an entry, and its
/// value is the join of its entries' values. So concurrent updates of a key merge with the value type's own join, an
/// update wins over a concurrent remove (as in <see cref="ORSet{T}"/>), and a remove takes away exactly the values it saw:
/// a key removed and concurrently updated keeps the updating region's value. Immutable: operations return the new copy.
/// </summary>
/// <typeparam name="TKey">The key type: compared by value, serializable to JSON.</typeparam>
/// <typeparam name="TValue">The nested CRDT.</typeparam>
[GenerateSerializer, Immutable]
public sealed class ORMap<TKey, TValue> : IDeltaCrdt<ORMap<TKey, TValue>, ORMapDelta<TKey, TValue>>, IEquatable<ORMap<TKey, TValue>>
    where TKey : notnull
    where TValue : ICrdt<TValue>
{
    /// <summary>The empty map.</summary>
    public static ORMap<TKey, TValue> Empty { get; } = new([], VersionVector.Empty);

    /// <summary>Creates a map from its entries (one per surviving update; a dot named twice is kept once) and causal context.</summary>
    [JsonConstructor]
    public ORMap(ImmutableArray<ORMapEntry<TKey, TValue>> entries, VersionVector context)
    {
        Entries = Canonical(entries);
        Context = context ?? VersionVector.Empty;
    }

    /// <summary>The surviving updates, in canonical order (by key, then dot).</summary>
    [Id(0)]
    public ImmutableArray<ORMapEntry<TKey, TValue>> Entries { get; }

    /// <summary>Every update this copy has seen.</summary>
    [Id(1)]
    public VersionVector Context { get; }

    /// <summary>The present keys and their values.</summary>
    [JsonIgnore]
    public IEnumerable<KeyValuePair<TKey, TValue>> Items =>
        Entries.GroupBy(e => e.Key).Select(g => KeyValuePair.Create(g.Key, g.Select(e => e.Value).Aggregate((a, b) => a.Merge(b))));

    /// <summary>The value of <paramref name="key"/> (the join of its surviving updates), if present.</summary>
    public bool TryGetValue(TKey key, out TValue? value)
    {
        var values = Entries.Where(e => EqualityComparer<TKey>.Default.Equals(e.Key, key)).Select(e => e.Value).ToList();
        value = values.Count == 0 ? default : values.Aggregate((a, b) => a.Merge(b));
        return values.Count > 0;
    }

    /// <summary>
    /// The map after <paramref name="replica"/> changed <paramref name="key"/>'s value with <paramref name="change"/>,
    /// starting from <paramref name="empty"/> when the key is absent; the update replaces every update of the key seen here.
    /// </summary>
    /// <exception cref="InvalidCrdtOperationException"><paramref name="change"/> returned null.</exception>
    public ORMap<TKey, TValue> Update(RegionId replica, TKey key, TValue empty, Func<TValue, TValue> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var current = TryGetValue(key, out var value) ? value! : empty;
        var next = change(current) ?? throw new InvalidCrdtOperationException($"The change of key '{key}' returned null.");
        var dot = Context.Next(replica);
        return new([.. Without(key), new ORMapEntry<TKey, TValue>(key, dot, next)], Context.With(dot));
    }

    /// <summary>The map without <paramref name="key"/>: the updates seen here are removed; one made concurrently elsewhere wins.</summary>
    public ORMap<TKey, TValue> Remove(TKey key) => TryGetValue(key, out _) ? new([.. Without(key)], Context) : this;

    /// <inheritdoc />
    public ORMap<TKey, TValue> Merge(ORMap<TKey, TValue> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Join(Entries, Context.Contains, other.Entries, other.Context.Contains), Context.Merge(other.Context));
    }

    /// <inheritdoc />
    /// <remarks>
    /// The delta carries the updates made since <paramref name="earlier"/>, and as its context the changes since
    /// <paramref name="earlier"/>'s context plus the updates <paramref name="earlier"/> held that this copy no longer
    /// does: a receiver that has seen <paramref name="earlier"/> drops exactly what this copy replaced or removed since.
    /// </remarks>
    public ORMapDelta<TKey, TValue> DeltaSince(ORMap<TKey, TValue> earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        CausalDeltas.RequireEarlier("OR-Map", earlier.Context, Context);
        return new(
            [.. Entries.Where(e => !earlier.Context.Contains(e.Dot))],
            earlier.Context,
            Context,
            CausalDeltas.Removed(earlier.Entries.Select(e => e.Dot), Entries.Select(e => e.Dot)));
    }

    /// <inheritdoc />
    /// <exception cref="InvalidCrdtOperationException">This copy has not seen the delta's <see cref="ObservedRemoveDelta{TEntry}.Floor"/>.</exception>
    public ORMap<TKey, TValue> MergeDelta(ORMapDelta<TKey, TValue> delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        CausalDeltas.RequireSeen("OR-Map", Context, delta.Floor);
        return new(Join(Entries, Context.Contains, delta.Entries, delta.Covers), Context.Merge(delta.Context));
    }

    /// <inheritdoc />
    public bool Equals(ORMap<TKey, TValue>? other) => other is not null && Entries.SequenceEqual(other.Entries) && Context.Equals(other.Context);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ORMap<TKey, TValue>);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Entries.Length, Context);

    /// <summary>Entries in canonical order (by key, then dot), a dot named twice kept once.</summary>
    internal static ImmutableArray<ORMapEntry<TKey, TValue>> Canonical(ImmutableArray<ORMapEntry<TKey, TValue>> entries) =>
        [.. (entries.IsDefault ? [] : entries)
            .DistinctBy(e => e.Dot)
            .OrderBy(e => e.Key, CrdtOrder.For<TKey>())
            .ThenBy(e => e.Dot)];

    // An update survives if both sides hold it, or one holds it and the other has not seen it; a side's context is a
    // copy's vector or a delta's dot set, so deltas join by the same rule as whole copies.
    private static ImmutableArray<ORMapEntry<TKey, TValue>> Join(
        ImmutableArray<ORMapEntry<TKey, TValue>> mine, Func<Dot, bool> mySeen, ImmutableArray<ORMapEntry<TKey, TValue>> theirs, Func<Dot, bool> theirSeen)
    {
        var myDots = mine.Select(e => e.Dot).ToHashSet();
        var theirDots = theirs.Select(e => e.Dot).ToHashSet();
        return [.. mine.Where(e => theirDots.Contains(e.Dot) || !theirSeen(e.Dot)), .. theirs.Where(e => !myDots.Contains(e.Dot) && !mySeen(e.Dot))];
    }

    private IEnumerable<ORMapEntry<TKey, TValue>> Without(TKey key) => Entries.Where(e => !EqualityComparer<TKey>.Default.Equals(e.Key, key));
}

/// <summary>One surviving update of an <see cref="ORMap{TKey, TValue}"/>: the key, the update's dot, the value it wrote.</summary>
/// <param name="Key">The key.</param>
/// <param name="Dot">The update.</param>
/// <param name="Value">The key's value as the update left it.</param>
[GenerateSerializer, Immutable]
public sealed record ORMapEntry<TKey, TValue>([property: Id(0)] TKey Key, [property: Id(1)] Dot Dot, [property: Id(2)] TValue Value);
