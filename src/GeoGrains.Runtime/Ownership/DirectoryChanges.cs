namespace GeoGrains.Runtime.Ownership;

/// <summary>
/// A directory's answer to "what changed after this cursor": the entries that changed (each at its newest epoch), and the
/// cursor to ask from next.
/// </summary>
/// <param name="Cursor">Where the reader is once it has applied <paramref name="Changes"/>.</param>
/// <param name="Changes">
/// The changed entries. For a <paramref name="Reset"/>, every partition entry and no grain override: the reader asks for
/// overrides again as it needs them.
/// </param>
/// <param name="Reset">
/// The log no longer reaches back to the reader's cursor (truncated, or another incarnation): the reader must forget the
/// overrides it holds and take the partitions in <paramref name="Changes"/>.
/// </param>
/// <param name="More">More changes are waiting after <paramref name="Cursor"/>: ask again from there.</param>
[GenerateSerializer, Immutable]
internal sealed record DirectoryChanges(
    [property: Id(0)] DirectoryCursor Cursor,
    [property: Id(1)] OwnershipTable Changes,
    [property: Id(2)] bool Reset,
    [property: Id(3)] bool More);
