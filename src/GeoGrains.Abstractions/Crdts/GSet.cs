using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace GeoGrains.Crdts;

/// <summary>
/// A grow-only set: elements are added, never removed; a merge is the union. Elements are kept in
/// <see cref="CrdtOrder"/>'s order. Immutable: operations return the new copy.
/// </summary>
/// <typeparam name="T">The element type: compared by value, serializable to JSON.</typeparam>
[GenerateSerializer, Immutable]
public sealed class GSet<T> : IDeltaCrdt<GSet<T>, GSet<T>>, IEquatable<GSet<T>>
    where T : notnull
{
    /// <summary>The empty set.</summary>
    public static GSet<T> Empty { get; } = new([]);

    /// <summary>Creates a set of <paramref name="elements"/> (any order, duplicates dropped).</summary>
    [JsonConstructor]
    public GSet(ImmutableArray<T> elements) =>
        Elements = [.. (elements.IsDefault ? [] : elements).Distinct().Order(CrdtOrder.For<T>())];

    /// <summary>The elements, in canonical order.</summary>
    [Id(0)]
    public ImmutableArray<T> Elements { get; }

    /// <summary>Whether <paramref name="element"/> was added.</summary>
    public bool Contains(T element) => Elements.Contains(element);

    /// <summary>The set with <paramref name="element"/>.</summary>
    public GSet<T> Add(T element) => Contains(element) ? this : new([.. Elements, element]);

    /// <inheritdoc />
    public GSet<T> Merge(GSet<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new([.. Elements, .. other.Elements]);
    }

    /// <inheritdoc />
    /// <remarks>The delta is a set of the elements <paramref name="earlier"/> lacks.</remarks>
    public GSet<T> DeltaSince(GSet<T> earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var mine = Elements.ToHashSet();
        var unseen = earlier.Elements.Where(e => !mine.Contains(e)).Take(3).ToList();
        if (unseen.Count > 0)
        {
            throw new InvalidCrdtOperationException(
                $"A grow-only set's delta is taken against a copy this one has seen, but the earlier copy holds elements this copy lacks: {string.Join(", ", unseen)}.");
        }

        var theirs = earlier.Elements.ToHashSet();
        return new([.. Elements.Where(e => !theirs.Contains(e))]);
    }

    /// <inheritdoc />
    /// <remarks>A delta is a part of a copy, so it joins into any copy: this is <see cref="Merge"/>.</remarks>
    public GSet<T> MergeDelta(GSet<T> delta) => Merge(delta);

    /// <inheritdoc />
    public bool Equals(GSet<T>? other) => other is not null && Elements.SequenceEqual(other.Elements);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as GSet<T>);

    /// <inheritdoc />
    public override int GetHashCode() => Elements.Aggregate(0, (hash, e) => HashCode.Combine(hash, e));
}
