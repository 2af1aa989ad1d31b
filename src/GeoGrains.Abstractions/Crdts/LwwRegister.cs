using System.Text.Json.Serialization;

namespace GeoGrains.Crdts;

/// <summary>
/// A last-writer-wins register: each assignment carries a hybrid logical clock reading and its region; a merge keeps the
/// assignment with the higher reading, the region (ordinal) breaking ties, so every region ends with the same value.
/// Immutable: operations return the new copy.
/// </summary>
/// <typeparam name="T">The value type, serializable to JSON.</typeparam>
[GenerateSerializer, Immutable]
public sealed class LwwRegister<T> : ICrdt<LwwRegister<T>>, IEquatable<LwwRegister<T>>
{
    /// <summary>Creates a register holding <paramref name="value"/> as assigned at <paramref name="timestamp"/> in <paramref name="replica"/>.</summary>
    [JsonConstructor]
    public LwwRegister(T value, HybridTimestamp timestamp, string replica)
    {
        Value = value;
        Timestamp = timestamp;
        Replica = replica ?? string.Empty;
    }

    /// <summary>The value of the winning assignment.</summary>
    [Id(0)]
    public T Value { get; }

    /// <summary>When it was assigned (hybrid logical clock).</summary>
    [Id(1)]
    public HybridTimestamp Timestamp { get; }

    /// <summary>The region that assigned it; empty for a register never assigned.</summary>
    [Id(2)]
    public string Replica { get; }

    /// <summary>A register never assigned, holding <paramref name="initial"/>; any assignment wins over it.</summary>
    public static LwwRegister<T> Initial(T initial) => new(initial, default, string.Empty);

    /// <summary>
    /// The register after <paramref name="replica"/> assigned <paramref name="value"/> at <paramref name="timestamp"/>
    /// (take it from the region's hybrid clock); an assignment older than the current one loses at once.
    /// </summary>
    public LwwRegister<T> Assign(T value, HybridTimestamp timestamp, RegionId replica) => Merge(new(value, timestamp, replica.Value));

    /// <summary>Whether this assignment wins over <paramref name="other"/>.</summary>
    public bool Wins(LwwRegister<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var order = Timestamp.CompareTo(other.Timestamp);
        if (order == 0)
        {
            order = string.CompareOrdinal(Replica, other.Replica);
        }

        // The same clock reading in the same region twice cannot come from one hybrid clock; the value decides, so that
        // the merge still gives one answer in every order.
        return order == 0 ? CrdtOrder.Compare(Value, other.Value) >= 0 : order > 0;
    }

    /// <inheritdoc />
    public LwwRegister<T> Merge(LwwRegister<T> other) => Wins(other) ? this : other;

    /// <inheritdoc />
    public bool Equals(LwwRegister<T>? other) =>
        other is not null && Timestamp == other.Timestamp && Replica == other.Replica && EqualityComparer<T>.Default.Equals(Value, other.Value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as LwwRegister<T>);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Value, Timestamp, Replica);

    /// <inheritdoc />
    public override string ToString() => $"{Value} @{Timestamp} {Replica}";
}
