using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace GeoGrains.Crdts;

/// <summary>
/// A map whose every key is a last-writer-wins register: a set or a remove carries a hybrid clock reading and its region,
/// and per key the latest wins everywhere (a remove is kept as a removed entry, so an older set arriving later loses to
/// it). Immutable: operations return the new copy.
/// </summary>
/// <typeparam name="TKey">The key type: compared by value, serializable to JSON.</typeparam>
/// <typeparam name="TValue">The value type, serializable to JSON.</typeparam>
[GenerateSerializer, Immutable]
public sealed class LwwMap<TKey, TValue> : IDeltaCrdt<LwwMap<TKey, TValue>, LwwMap<TKey, TValue>>, IEquatable<LwwMap<TKey, TValue>>
    where TKey : notnull
{
    /// <summary>The empty map.</summary>
    public static LwwMap<TKey, TValue> Empty { get; } = new([]);

    /// <summary>Creates a map from its entries (a key named twice keeps its winning assignment).</summary>
    [JsonConstructor]
    public LwwMap(ImmutableArray<LwwMapEntry<TKey, TValue>> entries) =>
        Entries = [.. (entries.IsDefault ? [] : entries)
            .GroupBy(e => e.Key)
            .Select(g => g.Aggregate((a, b) => a.Register.Wins(b.Register) ? a : b))
            .OrderBy(e => e.Key, CrdtOrder.For<TKey>())];

    /// <summary>Every key ever set, with its winning assignment (removed keys included), in canonical order.</summary>
    [Id(0)]
    public ImmutableArray<LwwMapEntry<TKey, TValue>> Entries { get; }

    /// <summary>The keys present and their values.</summary>
    [JsonIgnore]
    public IEnumerable<KeyValuePair<TKey, TValue>> Items =>
        Entries.Where(e => !e.Register.Value.Removed).Select(e => KeyValuePair.Create(e.Key, e.Register.Value.Value!));

    /// <summary>The value of <paramref name="key"/>, if present.</summary>
    public bool TryGetValue(TKey key, out TValue? value)
    {
        var entry = Entries.FirstOrDefault(e => EqualityComparer<TKey>.Default.Equals(e.Key, key));
        value = entry is { Register.Value.Removed: false } ? entry.Register.Value.Value : default;
        return entry is { Register.Value.Removed: false };
    }

    /// <summary>The map after <paramref name="replica"/> set <paramref name="key"/> to <paramref name="value"/> at <paramref name="timestamp"/>.</summary>
    public LwwMap<TKey, TValue> Set(TKey key, TValue value, HybridTimestamp timestamp, RegionId replica) =>
        Merge(new([new LwwMapEntry<TKey, TValue>(key, new(new LwwMapValue<TValue>(value, false), timestamp, replica.Value))]));

    /// <summary>The map after <paramref name="replica"/> removed <paramref name="key"/> at <paramref name="timestamp"/>.</summary>
    public LwwMap<TKey, TValue> Remove(TKey key, HybridTimestamp timestamp, RegionId replica) =>
        Merge(new([new LwwMapEntry<TKey, TValue>(key, new(new LwwMapValue<TValue>(default, true), timestamp, replica.Value))]));

    /// <inheritdoc />
    public LwwMap<TKey, TValue> Merge(LwwMap<TKey, TValue> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new([.. Entries, .. other.Entries]);
    }

    /// <inheritdoc />
    /// <remarks>The delta is a map of the keys whose winning set or remove is not <paramref name="earlier"/>'s.</remarks>
    public LwwMap<TKey, TValue> DeltaSince(LwwMap<TKey, TValue> earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var mine = Entries.ToDictionary(e => e.Key);
        foreach (var entry in earlier.Entries)
        {
            if (!mine.TryGetValue(entry.Key, out var current) || !current.Register.Wins(entry.Register))
            {
                throw new InvalidCrdtOperationException(
                    $"A last-writer-wins map's delta is taken against a copy this one has seen, but the earlier copy's assignment of key '{entry.Key}' ({entry.Register}) wins over this copy's ({current?.Register.ToString() ?? "none"}).");
            }
        }

        var theirs = earlier.Entries.ToDictionary(e => e.Key);
        return new([.. Entries.Where(e => !theirs.TryGetValue(e.Key, out var old) || !old.Register.Equals(e.Register))]);
    }

    /// <inheritdoc />
    /// <remarks>A delta is a part of a copy, so it joins into any copy: this is <see cref="Merge"/>.</remarks>
    public LwwMap<TKey, TValue> MergeDelta(LwwMap<TKey, TValue> delta) => Merge(delta);

    /// <inheritdoc />
    public bool Equals(LwwMap<TKey, TValue>? other) => other is not null && Entries.SequenceEqual(other.Entries);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as LwwMap<TKey, TValue>);

    /// <inheritdoc />
    public override int GetHashCode() => Entries.Length;
}

/// <summary>One key of an <see cref="LwwMap{TKey, TValue}"/> and its winning assignment.</summary>
/// <param name="Key">The key.</param>
/// <param name="Register">The winning set or remove.</param>
[GenerateSerializer, Immutable]
public sealed record LwwMapEntry<TKey, TValue>([property: Id(0)] TKey Key, [property: Id(1)] LwwRegister<LwwMapValue<TValue>> Register);

/// <summary>What an assignment of an <see cref="LwwMap{TKey, TValue}"/> key did: set a value, or remove the key.</summary>
/// <param name="Value">The value set (default when removed).</param>
/// <param name="Removed">Whether the assignment removed the key.</param>
[GenerateSerializer, Immutable]
public sealed record LwwMapValue<TValue>([property: Id(0)] TValue? Value, [property: Id(1)] bool Removed);
