using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// Makes a change smaller for one target region: the delta from the version that region acknowledged, when the grain's
/// state can be shipped so (active-active CRDT states; the active-active stage implements it); else the change itself.
/// </summary>
internal interface IDeltaShipping
{
    /// <summary>
    /// <paramref name="change"/> as it ships to <paramref name="target"/>, given the version each region acknowledged
    /// (<paramref name="acknowledged"/>, asked only when a delta is possible).
    /// </summary>
    ReplicatedChange ForTarget(ReplicatedChange change, RegionId target, Func<GrainId, RegionId, GeoRecord?> acknowledged);
}
