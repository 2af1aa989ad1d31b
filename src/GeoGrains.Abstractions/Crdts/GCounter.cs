using System.Text.Json.Serialization;

namespace GeoGrains.Crdts;

/// <summary>
/// A grow-only counter: each region counts its own increments; the value is their sum, and a merge keeps each region's
/// highest count. Immutable: operations return the new copy.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class GCounter : IDeltaCrdt<GCounter, GCounter>, IEquatable<GCounter>
{
    /// <summary>The counter at zero.</summary>
    public static GCounter Zero { get; } = new(VersionVector.Empty);

    /// <summary>Creates a counter from each region's count.</summary>
    [JsonConstructor]
    public GCounter(VersionVector counts) => Counts = counts ?? VersionVector.Empty;

    /// <summary>Each region's count (the sum of its increments).</summary>
    [Id(0)]
    public VersionVector Counts { get; }

    /// <summary>The sum of every region's increments.</summary>
    [JsonIgnore]
    public long Value => Counts.Entries.Sum(e => e.Counter);

    /// <summary>The counter after <paramref name="replica"/> added <paramref name="amount"/>.</summary>
    /// <exception cref="InvalidCrdtOperationException"><paramref name="amount"/> is negative: a grow-only counter never goes down.</exception>
    public GCounter Increment(RegionId replica, long amount = 1)
    {
        if (amount < 0)
        {
            throw new InvalidCrdtOperationException($"A grow-only counter cannot be incremented by {amount}: use a PNCounter to count down.");
        }

        return amount == 0 ? this : new(Counts.With(new Dot(replica.Value, checked(Counts[replica.Value] + amount))));
    }

    /// <inheritdoc />
    public GCounter Merge(GCounter other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Counts.Merge(other.Counts));
    }

    /// <inheritdoc />
    /// <remarks>The delta is a counter holding the counts of the regions that counted since <paramref name="earlier"/>.</remarks>
    public GCounter DeltaSince(GCounter earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        if (earlier.Counts.Compare(Counts) is not (CausalOrder.Before or CausalOrder.Equal))
        {
            throw new InvalidCrdtOperationException(
                $"A counter's delta is taken against a copy this one has seen, but the earlier copy's counts {earlier.Counts} are not all at or below this copy's {Counts}.");
        }

        return new(new VersionVector([.. Counts.Entries.Where(e => e.Counter > earlier.Counts[e.Replica])]));
    }

    /// <inheritdoc />
    /// <remarks>A delta is a part of a copy, so it joins into any copy: this is <see cref="Merge"/>.</remarks>
    public GCounter MergeDelta(GCounter delta) => Merge(delta);

    /// <inheritdoc />
    public bool Equals(GCounter? other) => other is not null && Counts.Equals(other.Counts);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as GCounter);

    /// <inheritdoc />
    public override int GetHashCode() => Counts.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => $"{Value} {Counts}";
}
