using Orleans.Concurrency;

namespace GeoGrains;

/// <summary>Ownership questions and planned moves; present in every region. Use key 0.</summary>
public interface IGeoAdminGrain : IGrainWithIntegerKey
{
    /// <summary>Who owns <paramref name="grain"/> now, as this region's directory knows it.</summary>
    /// <exception cref="GeoGrainNotRegisteredException">The grain is not a registered geo grain.</exception>
    /// <exception cref="GrainPlacementException">The grain's key cannot be placed.</exception>
    [ReadOnly]
    Task<GrainOwnership> GetOwner(GrainId grain);

    /// <summary>
    /// Moves <paramref name="grain"/> to <paramref name="newRegion"/> (a user who moved): the current owner stops taking
    /// writes, ships its latest version to the new owner, and hands ownership over under a higher epoch. Writes made
    /// meanwhile wait and then go to the new owner; none is lost or applied twice.
    /// </summary>
    /// <exception cref="UnknownRegionException"><paramref name="newRegion"/> is not in the topology.</exception>
    /// <exception cref="RegionUnreachableException">The current or the new owner cannot be reached, or the new region failed and its grains were taken over; ownership is unchanged.</exception>
    Task<GrainOwnership> Rehome(GrainId grain, RegionId newRegion);

    /// <summary>
    /// The orphaned versions of <paramref name="grain"/> its owner region reconciled (see <see cref="ReconciliationRecord"/>),
    /// oldest orphan first; answered by the region that owns the grain now, through the links if that is another region.
    /// </summary>
    /// <exception cref="GeoGrainNotRegisteredException">The grain is not a registered geo grain.</exception>
    /// <exception cref="RegionUnreachableException">The owner region cannot be reached.</exception>
    [ReadOnly]
    Task<IReadOnlyList<ReconciliationRecord>> GetReconciliations(GrainId grain);
}
