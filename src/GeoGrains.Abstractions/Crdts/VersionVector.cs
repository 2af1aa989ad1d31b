using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace GeoGrains.Crdts;

/// <summary>
/// What a copy has seen: per region, how many of that region's changes (numbered 1, 2, 3, …). Tells ordered copies from
/// concurrent ones (<see cref="Compare"/>) and serves as the causal context of observed-remove types. Immutable; entries
/// are kept sorted by region (ordinal) with counters above zero, so equal vectors are equal byte for byte.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class VersionVector : ICrdt<VersionVector>, IEquatable<VersionVector>
{
    /// <summary>The vector that has seen nothing.</summary>
    public static VersionVector Empty { get; } = new([]);

    /// <summary>Creates a vector from its entries (any order; a region named twice keeps its higher counter).</summary>
    /// <exception cref="InvalidCrdtOperationException">A counter is negative or a region is empty.</exception>
    [JsonConstructor]
    public VersionVector(ImmutableArray<Dot> entries)
    {
        if (IsCanonical(entries))
        {
            // Read back from storage or the wire, vectors are canonical already: kept as they are, without sorting again.
            Entries = entries;
            return;
        }

        var canonical = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var dot in entries.IsDefault ? [] : entries)
        {
            if (string.IsNullOrEmpty(dot.Replica) || dot.Counter < 0)
            {
                throw new InvalidCrdtOperationException($"A version vector entry needs a region and a counter of zero or more (got '{dot}').");
            }

            if (dot.Counter > 0 && (!canonical.TryGetValue(dot.Replica, out var seen) || seen < dot.Counter))
            {
                canonical[dot.Replica] = dot.Counter;
            }
        }

        Entries = [.. canonical.Select(e => new Dot(e.Key, e.Value))];
    }

    // Sorted by region (ordinal), each region once, every counter above zero.
    private static bool IsCanonical(ImmutableArray<Dot> entries)
    {
        if (entries.IsDefault)
        {
            return false;
        }

        for (var i = 0; i < entries.Length; i++)
        {
            if (string.IsNullOrEmpty(entries[i].Replica) || entries[i].Counter <= 0
                || (i > 0 && string.CompareOrdinal(entries[i - 1].Replica, entries[i].Replica) >= 0))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Per region, the highest change number seen, sorted by region.</summary>
    [Id(0)]
    public ImmutableArray<Dot> Entries { get; }

    /// <summary>How many of <paramref name="replica"/>'s changes this vector has seen.</summary>
    public long this[string replica]
    {
        get
        {
            foreach (var entry in Entries)
            {
                if (entry.Replica == replica)
                {
                    return entry.Counter;
                }
            }

            return 0;
        }
    }

    /// <summary>Whether the change <paramref name="dot"/> is among those seen.</summary>
    public bool Contains(Dot dot) => dot.Counter <= this[dot.Replica];

    /// <summary>The next change of <paramref name="replica"/> after those seen.</summary>
    public Dot Next(RegionId replica) => new(replica.Value, this[replica.Value] + 1);

    /// <summary>This vector having also seen <paramref name="dot"/> (and, per the numbering, the changes before it).</summary>
    public VersionVector With(Dot dot) => Contains(dot) ? this : new([.. Entries, dot]);

    /// <inheritdoc />
    public VersionVector Merge(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new([.. Entries, .. other.Entries]);
    }

    /// <summary>How this vector's history relates to <paramref name="other"/>'s.</summary>
    public CausalOrder Compare(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        bool behind = false, ahead = false;
        foreach (var replica in Entries.Select(e => e.Replica).Union(other.Entries.Select(e => e.Replica)))
        {
            var mine = this[replica];
            var theirs = other[replica];
            behind |= mine < theirs;
            ahead |= mine > theirs;
        }

        return (behind, ahead) switch
        {
            (false, false) => CausalOrder.Equal,
            (true, false) => CausalOrder.Before,
            (false, true) => CausalOrder.After,
            _ => CausalOrder.Concurrent,
        };
    }

    /// <inheritdoc />
    public bool Equals(VersionVector? other) => other is not null && Entries.SequenceEqual(other.Entries);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as VersionVector);

    /// <inheritdoc />
    public override int GetHashCode() => Entries.Aggregate(0, (hash, dot) => HashCode.Combine(hash, dot));

    /// <inheritdoc />
    public override string ToString() => $"[{string.Join(", ", Entries)}]";
}
