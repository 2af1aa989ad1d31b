namespace GeoGrains.Runtime.Ownership;

/// <summary>
/// A position in a region's directory change log: every change up to <see cref="Revision"/> of the log named by
/// <see cref="Incarnation"/>. A new incarnation starts when the directory's storage starts over (a new or wiped account),
/// so a position in an old log is never mistaken for one in the new. Revision 0 is the empty directory, the same in every
/// incarnation.
/// </summary>
[GenerateSerializer, Immutable]
internal readonly record struct DirectoryCursor([property: Id(0)] Guid Incarnation, [property: Id(1)] long Revision)
{
    /// <summary>Knows nothing yet: the answer to it is always a reset.</summary>
    public static readonly DirectoryCursor None = new(Guid.Empty, -1);

    /// <summary>The empty directory, before any change.</summary>
    public static readonly DirectoryCursor Start = new(Guid.Empty, 0);

    /// <summary>Whether a reader at this position may take changes of the log <paramref name="incarnation"/> from here on.</summary>
    public bool Continues(Guid incarnation) => Revision == 0 || (Revision > 0 && Incarnation == incarnation);

    public override string ToString() => $"{Incarnation:N}@{Revision}";
}
