namespace GeoGrains.Runtime.Failover;

/// <summary>A proposal number of <see cref="OwnershipAgreement"/>: a round, made unique by the proposing region.</summary>
[GenerateSerializer, Immutable]
internal readonly record struct Ballot([property: Id(0)] long Round, [property: Id(1)] string Proposer) : IComparable<Ballot>
{
    public static readonly Ballot None = new(0, string.Empty);

    public int CompareTo(Ballot other) =>
        Round != other.Round ? Round.CompareTo(other.Round) : string.CompareOrdinal(Proposer ?? string.Empty, other.Proposer ?? string.Empty);

    public static bool operator >(Ballot a, Ballot b) => a.CompareTo(b) > 0;

    public static bool operator <(Ballot a, Ballot b) => a.CompareTo(b) < 0;

    public static bool operator >=(Ballot a, Ballot b) => a.CompareTo(b) >= 0;

    public static bool operator <=(Ballot a, Ballot b) => a.CompareTo(b) <= 0;

    public override string ToString() => $"{Round}.{Proposer}";
}
