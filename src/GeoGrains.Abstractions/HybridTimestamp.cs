namespace GeoGrains;

/// <summary>
/// A hybrid logical clock reading: wall-clock milliseconds plus a logical counter that orders events within the same
/// millisecond and keeps causality when clocks disagree. Ordered by <see cref="PhysicalMilliseconds"/>, then <see cref="Logical"/>.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct HybridTimestamp(
    [property: Id(0)] long PhysicalMilliseconds,
    [property: Id(1)] int Logical) : IComparable<HybridTimestamp>
{
    /// <inheritdoc />
    public int CompareTo(HybridTimestamp other)
    {
        var physical = PhysicalMilliseconds.CompareTo(other.PhysicalMilliseconds);
        return physical != 0 ? physical : Logical.CompareTo(other.Logical);
    }

    /// <summary>Whether <paramref name="a"/> is ordered after <paramref name="b"/>.</summary>
    public static bool operator >(HybridTimestamp a, HybridTimestamp b) => a.CompareTo(b) > 0;

    /// <summary>Whether <paramref name="a"/> is ordered before <paramref name="b"/>.</summary>
    public static bool operator <(HybridTimestamp a, HybridTimestamp b) => a.CompareTo(b) < 0;

    /// <summary>Whether <paramref name="a"/> is ordered after or equal to <paramref name="b"/>.</summary>
    public static bool operator >=(HybridTimestamp a, HybridTimestamp b) => a.CompareTo(b) >= 0;

    /// <summary>Whether <paramref name="a"/> is ordered before or equal to <paramref name="b"/>.</summary>
    public static bool operator <=(HybridTimestamp a, HybridTimestamp b) => a.CompareTo(b) <= 0;

    /// <summary>The wall-clock part as a time.</summary>
    public DateTimeOffset WallClock => DateTimeOffset.FromUnixTimeMilliseconds(PhysicalMilliseconds);

    /// <inheritdoc />
    public override string ToString() => $"{PhysicalMilliseconds}.{Logical}";
}
