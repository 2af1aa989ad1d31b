namespace GeoGrains;

/// <summary>Ownership operations on geo grains, from a client or a grain, in whichever region it is connected to.</summary>
public static class GeoGrainFactoryExtensions
{
    /// <summary>
    /// Moves <paramref name="grain"/> to <paramref name="newRegion"/>: a planned move that ships its latest version first
    /// and loses no write; writes made meanwhile wait and then run in the new region. See <see cref="IGeoAdminGrain.Rehome"/>.
    /// </summary>
    /// <returns>The new ownership (owner and epoch).</returns>
    /// <exception cref="GeoGrainNotRegisteredException">The grain is not a registered geo grain.</exception>
    /// <exception cref="UnknownRegionException"><paramref name="newRegion"/> is not in the topology.</exception>
    /// <exception cref="RegionUnreachableException">The current or new owner region cannot be reached; ownership is unchanged.</exception>
    public static Task<GrainOwnership> RehomeAsync(this IGrainFactory grains, IAddressable grain, RegionId newRegion)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(grain);
        return grains.GetGrain<IGeoAdminGrain>(0).Rehome(grain.GetGrainId(), newRegion);
    }

    /// <summary>
    /// Moves everything <paramref name="region"/> owns to other regions, for maintenance: a planned switchover the regions
    /// agree on, that loses no acknowledged write (RPO 0). Writes made meanwhile wait and then run at the new owners. The
    /// region stays drained until <see cref="RestoreRegionAsync"/>. See <see cref="IGeoAdminGrain.DrainRegion"/>.
    /// </summary>
    public static Task DrainRegionAsync(this IGrainFactory grains, RegionId region)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IGeoAdminGrain>(0).DrainRegion(region);
    }

    /// <summary>
    /// Gives <paramref name="region"/> back what it owned before it was drained or taken over after a failure: a planned
    /// switchover that loses no acknowledged write. See <see cref="IGeoAdminGrain.RestoreRegion"/>.
    /// </summary>
    public static Task RestoreRegionAsync(this IGrainFactory grains, RegionId region)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IGeoAdminGrain>(0).RestoreRegion(region);
    }

    /// <summary>Who owns <paramref name="grain"/> now, as the connected region's directory knows it.</summary>
    public static Task<GrainOwnership> GetOwnerAsync(this IGrainFactory grains, IAddressable grain)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(grain);
        return grains.GetGrain<IGeoAdminGrain>(0).GetOwner(grain.GetGrainId());
    }

    /// <summary>
    /// The orphaned versions of <paramref name="grain"/> that its owner reconciled: <c>Async</c> writes a failed region
    /// acknowledged but never shipped before its grains were taken over. See <see cref="IGeoAdminGrain.GetReconciliations"/>.
    /// </summary>
    /// <exception cref="GeoGrainNotRegisteredException">The grain is not a registered geo grain.</exception>
    /// <exception cref="RegionUnreachableException">The owner region cannot be reached.</exception>
    public static Task<IReadOnlyList<ReconciliationRecord>> GetReconciliationsAsync(this IGrainFactory grains, IAddressable grain)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(grain);
        return grains.GetGrain<IGeoAdminGrain>(0).GetReconciliations(grain.GetGrainId());
    }

    /// <summary>
    /// The conflicts the active-active grain <paramref name="grain"/> had, as every reachable region recorded them, each
    /// conflict once (by <see cref="ConflictRecord.Id"/>). See <see cref="IGeoAdminGrain.GetConflicts(GrainId)"/>.
    /// </summary>
    /// <exception cref="GeoGrainNotRegisteredException">The grain is not a registered geo grain.</exception>
    public static Task<IReadOnlyList<ConflictRecord>> GetConflictsAsync(this IGrainFactory grains, IAddressable grain)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(grain);
        return grains.GetGrain<IGeoAdminGrain>(0).GetConflicts(grain.GetGrainId());
    }

    /// <summary>
    /// The conflicts of <paramref name="grain"/> resolved within [<paramref name="from"/>, <paramref name="to"/>), each
    /// once, oldest first. See <see cref="IGeoAdminGrain.GetConflicts(GrainId, DateTimeOffset, DateTimeOffset)"/>.
    /// </summary>
    /// <exception cref="GeoGrainNotRegisteredException">The grain is not a registered geo grain.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="to"/> is not after <paramref name="from"/>.</exception>
    public static Task<IReadOnlyList<ConflictRecord>> GetConflictsAsync(this IGrainFactory grains, IAddressable grain, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(grain);
        ConflictFeed.CheckWindow(from, to);
        return grains.GetGrain<IGeoAdminGrain>(0).GetConflicts(grain.GetGrainId(), from, to);
    }

    /// <summary>
    /// The conflict feed by time, across grains: at most <paramref name="limit"/> conflicts and failover reconciliations
    /// resolved within [<paramref name="from"/>, <paramref name="to"/>) in any reachable region, each once, oldest first.
    /// See <see cref="IGeoAdminGrain.GetConflicts(DateTimeOffset, DateTimeOffset, int)"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="to"/> is not after <paramref name="from"/>, or <paramref name="limit"/> is not within 1 to
    /// <see cref="ConflictFeed.MaxLimit"/>.
    /// </exception>
    public static Task<IReadOnlyList<ConflictRecord>> GetConflictsAsync(this IGrainFactory grains, DateTimeOffset from, DateTimeOffset to, int limit)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ConflictFeed.CheckQuery(from, to, limit);
        return grains.GetGrain<IGeoAdminGrain>(0).GetConflicts(from, to, limit);
    }
}
