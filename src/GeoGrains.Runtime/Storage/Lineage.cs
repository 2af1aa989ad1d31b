namespace GeoGrains.Runtime.Storage;

/// <summary>Which versions of an older epoch a grain's current lineage continued from, and which it never saw.</summary>
internal static class Lineage
{
    /// <summary>
    /// The version a commit under <paramref name="epoch"/> on top of <paramref name="current"/> continues from: the first
    /// commit of an epoch continues from the stored version (none: 0.0), later ones carry what the first one named.
    /// </summary>
    public static (long Epoch, long Version) BaseOf(GeoRecord? current, long epoch) =>
        current is null ? (0, 0)
        : current.Epoch == epoch ? (current.BaseEpoch, current.BaseVersion)
        : (current.Epoch, current.Version);

    /// <summary>
    /// Whether <paramref name="change"/>, a version of an older epoch than <paramref name="current"/>, is an orphan: not
    /// part of <paramref name="current"/>'s history, because the current epoch continued from an earlier version of its
    /// epoch (or from an epoch before it). An old duplicate of a version the owner continued from is not an orphan.
    /// </summary>
    /// <remarks>
    /// Only the step into the current epoch is kept: an orphan of an epoch older than <see cref="GeoRecord.BaseEpoch"/>
    /// (two takeovers in a row before it arrives) reads as history. A record from before lineage was kept (base 0.0)
    /// takes every older epoch's version for an orphan: recorded once more than needed, never lost.
    /// </remarks>
    public static bool IsOrphan(GeoRecord change, GeoRecord current) =>
        change.Epoch < current.Epoch
        && (change.Epoch > current.BaseEpoch || (change.Epoch == current.BaseEpoch && change.Version > current.BaseVersion));

    /// <summary>
    /// Whether <paramref name="stored"/>, a region's version of a grain, has <paramref name="change"/> in its history for
    /// certain: it is that version or a later one of the same epoch, or the version its epoch continued from is that
    /// version or a later one of the change's epoch. Only such a region can acknowledge the change toward a
    /// <c>SemiSync</c>/<c>Sync</c> write: the next owner continues from the freshest copy, and a copy that holds a
    /// newer epoch's lineage without the change (an orphan there, or two takeovers on) would not carry it.
    /// </summary>
    public static bool Holds(GeoRecord stored, GeoRecord change) =>
        change.Epoch == stored.Epoch ? change.Version <= stored.Version
        : change.Epoch < stored.Epoch && change.Epoch == stored.BaseEpoch && change.Version <= stored.BaseVersion;
}
