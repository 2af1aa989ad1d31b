using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// What the receiver does with versions that a newer epoch's owner never saw (orphans of a takeover): this region's own
/// orphans go to the grain's owner before being replaced, and orphans of other regions are reconciled there (the
/// reconciliation stage implements it).
/// </summary>
internal interface IOrphanedVersions
{
    /// <summary>Whether <paramref name="stored"/>, this region's version, must go to the owner before <paramref name="incoming"/> replaces it.</summary>
    bool MustHandOver(GeoRecord stored, GeoRecord incoming);

    /// <summary>Hands this region's orphaned versions, held back from the batch, to their grains' owners.</summary>
    Task HandOverAsync(IEnumerable<(ReplicatedChange Change, GeoRecord Stored)> held);

    /// <summary>Has the owners reconcile incoming versions that the stored versions here did not continue from.</summary>
    Task ReconcileAsync(IEnumerable<(ReplicatedChange Change, GeoRecord Stored)> skipped);
}
