namespace GeoGrains.Runtime.Ownership;

/// <summary>
/// The directory's meta row: its log's incarnation, the last revision taken and the first revision still in the log. A
/// change replaces it conditionally on its ETag, so two writers cannot both take the same revision.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record DirectoryMeta(
    [property: Id(0)] Guid Incarnation,
    [property: Id(1)] long Revision,
    [property: Id(2)] long LogStart)
{
    /// <summary>A directory nothing was ever written to.</summary>
    public static readonly DirectoryMeta Empty = new(Guid.Empty, 0, 1);

    public DirectoryCursor Cursor => new(Incarnation, Revision);
}

/// <summary>The meta row as stored: <see cref="ETag"/> is <see langword="null"/> while there is no row.</summary>
internal sealed record StoredDirectoryMeta(DirectoryMeta Meta, string? ETag)
{
    public static readonly StoredDirectoryMeta Empty = new(DirectoryMeta.Empty, null);
}
