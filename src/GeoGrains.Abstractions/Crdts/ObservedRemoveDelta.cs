using System.Collections.Immutable;

namespace GeoGrains.Crdts;

/// <summary>
/// What an observed-remove copy (<see cref="ORSet{T}"/>, <see cref="ORMap{TKey, TValue}"/>) has that an earlier copy of
/// it lacks: the <see cref="Entries"/> made since, and which changes the delta has seen: every change in
/// (<see cref="Floor"/>, <see cref="Context"/>] per region, plus the <see cref="Removed"/> changes that the earlier copy
/// held. A receiver that has seen <see cref="Floor"/> joins it with the same result as joining the whole copy.
/// Canonical: equal deltas serialize to the same bytes.
/// </summary>
/// <remarks>
/// What the delta has seen is a dot set rather than a vector, because a vector entry <c>r: n</c> claims every dot of
/// <c>r</c> up to <c>n</c>, so a receiver would drop every add the delta does not repeat. The two deltas differ only in
/// their entries; this holds the rest once. It cannot be derived from outside GeoGrains.
/// </remarks>
/// <typeparam name="TEntry">One entry: an element with its adds, or a key's update with its value.</typeparam>
[GenerateSerializer, Immutable]
public abstract class ObservedRemoveDelta<TEntry>
{
    /// <summary>Checks and keeps the parts; <paramref name="entries"/> must be in the entry type's canonical order already.</summary>
    /// <param name="type">The CRDT, for messages ("OR-Set").</param>
    /// <param name="entries">The entries, canonical.</param>
    /// <param name="floor">The earlier copy's context.</param>
    /// <param name="context">The newer copy's context.</param>
    /// <param name="removed">The changes the earlier copy held that the newer one does not, in any order.</param>
    /// <param name="dots">The changes one entry carries.</param>
    /// <exception cref="InvalidCrdtOperationException">The parts do not fit the interval.</exception>
    private protected ObservedRemoveDelta(
        string type, ImmutableArray<TEntry> entries, VersionVector? floor, VersionVector? context, ImmutableArray<Dot> removed, Func<TEntry, IEnumerable<Dot>> dots)
    {
        Entries = entries;
        Floor = floor ?? VersionVector.Empty;
        Context = context ?? VersionVector.Empty;
        Removed = [.. (removed.IsDefault ? [] : removed).Distinct().Order()];
        Validate(type, entries.SelectMany(dots));
    }

    /// <summary>The entries made since the earlier copy and still present, in canonical order.</summary>
    [Id(0)]
    public ImmutableArray<TEntry> Entries { get; }

    /// <summary>The earlier copy's context: a receiver must have seen it.</summary>
    [Id(1)]
    public VersionVector Floor { get; }

    /// <summary>The newer copy's context: a receiver has seen it after the join.</summary>
    [Id(2)]
    public VersionVector Context { get; }

    /// <summary>The changes the earlier copy held that the newer one no longer holds (removed, or replaced by a newer change), sorted.</summary>
    [Id(3)]
    public ImmutableArray<Dot> Removed { get; }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ObservedRemoveDelta<TEntry> other && other.GetType() == GetType() && SameAs(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Entries.Length, Floor, Context, Removed.Length);

    /// <summary>Whether the delta has seen <paramref name="dot"/>: it is in the interval or removed.</summary>
    internal bool Covers(Dot dot) =>
        (!Floor.Contains(dot) && Context.Contains(dot)) || (!Removed.IsDefaultOrEmpty && ImmutableArray.BinarySearch(Removed, dot) >= 0);

    /// <summary>Equal parts, for the deltas' typed <c>Equals</c>.</summary>
    private protected bool SameAs(ObservedRemoveDelta<TEntry>? other) =>
        other is not null && Entries.SequenceEqual(other.Entries) && Floor.Equals(other.Floor) && Context.Equals(other.Context)
        && Removed.SequenceEqual(other.Removed);

    // Refuses what DeltaSince never makes: a delta built or deserialized from parts that contradict each other.
    private void Validate(string type, IEnumerable<Dot> entryDots)
    {
        if (Floor.Compare(Context) is not (CausalOrder.Before or CausalOrder.Equal))
        {
            throw new InvalidCrdtOperationException($"An {type} delta's floor {Floor} must be at or below its context {Context}.");
        }

        foreach (var dot in entryDots)
        {
            if (Floor.Contains(dot) || !Context.Contains(dot))
            {
                throw new InvalidCrdtOperationException($"An {type} delta carries the add {dot}, outside its interval: floor {Floor}, context {Context}.");
            }
        }

        foreach (var dot in Removed)
        {
            if (!Floor.Contains(dot))
            {
                throw new InvalidCrdtOperationException($"An {type} delta removes {dot}, which its floor {Floor} has not seen.");
            }
        }
    }
}
