using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// Applies versions of active-active grains, which several regions write concurrently: each is ordered against the
/// stored version by its version vector and merged when concurrent (the active-active stage implements it).
/// </summary>
internal interface IConcurrentChangeApplier
{
    /// <summary>
    /// Applies <paramref name="changes"/>; returns the versions stored here without the grain (to hand to warm
    /// activations), and the grains whose deltas could not be joined.
    /// </summary>
    Task<(List<(GrainId Grain, StoredGeoRecord Stored)> Applied, List<GrainId> NeedWholeState)> ApplyAsync(
        IReadOnlyList<ReplicatedChange> changes, IGrainFactory grains);
}
