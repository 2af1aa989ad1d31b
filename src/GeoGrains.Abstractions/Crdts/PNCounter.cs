using System.Text.Json.Serialization;

namespace GeoGrains.Crdts;

/// <summary>
/// A counter that goes up and down: two grow-only counters, one of increments and one of decrements; the value is their
/// difference. Immutable: operations return the new copy.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class PNCounter : IDeltaCrdt<PNCounter, PNCounter>, IEquatable<PNCounter>
{
    /// <summary>The counter at zero.</summary>
    public static PNCounter Zero { get; } = new(GCounter.Zero, GCounter.Zero);

    /// <summary>Creates a counter from its increments and decrements.</summary>
    [JsonConstructor]
    public PNCounter(GCounter increments, GCounter decrements)
    {
        Increments = increments ?? GCounter.Zero;
        Decrements = decrements ?? GCounter.Zero;
    }

    /// <summary>Every region's increments.</summary>
    [Id(0)]
    public GCounter Increments { get; }

    /// <summary>Every region's decrements.</summary>
    [Id(1)]
    public GCounter Decrements { get; }

    /// <summary>Increments minus decrements.</summary>
    [JsonIgnore]
    public long Value => Increments.Value - Decrements.Value;

    /// <summary>The counter after <paramref name="replica"/> added <paramref name="amount"/> (negative: subtracted).</summary>
    public PNCounter Add(RegionId replica, long amount) =>
        amount >= 0 ? new(Increments.Increment(replica, amount), Decrements) : new(Increments, Decrements.Increment(replica, checked(-amount)));

    /// <summary>The counter after <paramref name="replica"/> added one.</summary>
    public PNCounter Increment(RegionId replica) => Add(replica, 1);

    /// <summary>The counter after <paramref name="replica"/> subtracted one.</summary>
    public PNCounter Decrement(RegionId replica) => Add(replica, -1);

    /// <inheritdoc />
    public PNCounter Merge(PNCounter other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Increments.Merge(other.Increments), Decrements.Merge(other.Decrements));
    }

    /// <inheritdoc />
    /// <remarks>The delta is a counter holding, in each half, the counts of the regions that counted since <paramref name="earlier"/>.</remarks>
    public PNCounter DeltaSince(PNCounter earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return new(Increments.DeltaSince(earlier.Increments), Decrements.DeltaSince(earlier.Decrements));
    }

    /// <inheritdoc />
    /// <remarks>A delta is a part of a copy, so it joins into any copy: this is <see cref="Merge"/>.</remarks>
    public PNCounter MergeDelta(PNCounter delta) => Merge(delta);

    /// <inheritdoc />
    public bool Equals(PNCounter? other) => other is not null && Increments.Equals(other.Increments) && Decrements.Equals(other.Decrements);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PNCounter);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Increments, Decrements);

    /// <inheritdoc />
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
