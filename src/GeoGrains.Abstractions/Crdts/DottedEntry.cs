using System.Collections.Immutable;

namespace GeoGrains.Crdts;

/// <summary>
/// One present element of an observed-remove type with the adds that keep it present (<see cref="Dots"/>), and, for
/// maps, its value.
/// </summary>
/// <typeparam name="TKey">The element or key.</typeparam>
/// <typeparam name="TValue">The value (a placeholder byte for sets).</typeparam>
/// <param name="Key">The element or key.</param>
/// <param name="Dots">The adds not yet removed, sorted.</param>
/// <param name="Value">The value.</param>
[GenerateSerializer, Immutable]
public sealed record DottedEntry<TKey, TValue>(
    [property: Id(0)] TKey Key,
    [property: Id(1)] ImmutableArray<Dot> Dots,
    [property: Id(2)] TValue Value)
{
    /// <inheritdoc />
    public bool Equals(DottedEntry<TKey, TValue>? other) =>
        other is not null && EqualityComparer<TKey>.Default.Equals(Key, other.Key) && Dots.SequenceEqual(other.Dots)
        && EqualityComparer<TValue>.Default.Equals(Value, other.Value);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, Dots.Length, Value);
}
