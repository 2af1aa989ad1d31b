namespace GeoGrains.Crdts;

/// <summary>
/// One change made by one replica: the replica (a region) and the change's number there, counting 1, 2, 3, … Tags the
/// elements of observed-remove types so that a remove takes away exactly the adds it saw.
/// </summary>
/// <param name="Replica">The region that made the change.</param>
/// <param name="Counter">Its number among that region's changes, from 1.</param>
[GenerateSerializer, Immutable]
public readonly record struct Dot([property: Id(0)] string Replica, [property: Id(1)] long Counter) : IComparable<Dot>
{
    /// <inheritdoc />
    public int CompareTo(Dot other)
    {
        var replica = string.CompareOrdinal(Replica, other.Replica);
        return replica != 0 ? replica : Counter.CompareTo(other.Counter);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Replica}:{Counter}";
}
