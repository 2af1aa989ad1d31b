namespace GeoGrains.Runtime.Ownership;

/// <summary>
/// How far this region's directory has taken another region's changes (anti-entropy), kept in the region's table so that
/// a restart continues from there.
/// </summary>
/// <param name="Cursor">The peer's log position taken so far; while scanning, the position the scan completes to.</param>
/// <param name="ScanAfter">
/// While the peer's log could not reach back to the cursor, this region reads the peer's overrides page by page: the key
/// after which the next page starts (empty for the first page). <see langword="null"/> when not scanning.
/// </param>
[GenerateSerializer, Immutable]
internal sealed record PeerCursor([property: Id(0)] DirectoryCursor Cursor, [property: Id(1)] string? ScanAfter)
{
    public static readonly PeerCursor Initial = new(DirectoryCursor.None, null);

    public bool Scanning => ScanAfter is not null;
}
