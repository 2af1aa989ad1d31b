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
    /// Moves everything <paramref name="region"/> owns (its home grains and grains rehomed to it) to successor regions,
    /// by a planned switchover agreed by a majority of regions: the region stops writing within a lease period, and each
    /// new owner, before its first write to a grain, reads the grain from every region, the drained one included, so no
    /// acknowledged write is lost. Writes made meanwhile wait and then run at the new owners. Completes once the regions
    /// have agreed; the region stays drained until <see cref="RestoreRegion"/>.
    /// </summary>
    /// <exception cref="UnknownRegionException"><paramref name="region"/> is not in the topology.</exception>
    /// <exception cref="InvalidOperationException">The topology has fewer than three regions, or it is the last region that owns grains.</exception>
    /// <exception cref="RegionUnreachableException">No majority of regions agreed in time.</exception>
    Task DrainRegion(RegionId region);

    /// <summary>
    /// Gives <paramref name="region"/> back everything it owned before it was drained or taken over after a failure, by a
    /// planned switchover that loses no acknowledged write; the same happens on its own for a region taken over after a
    /// failure once it has been healthy for <c>GeoGrains:Failover:FailbackAfter</c>. Nothing happens if it owns its grains.
    /// </summary>
    /// <exception cref="UnknownRegionException"><paramref name="region"/> is not in the topology.</exception>
    /// <exception cref="InvalidOperationException">The topology has fewer than three regions.</exception>
    /// <exception cref="RegionUnreachableException">The region does not answer, or no majority of regions agreed in time.</exception>
    Task RestoreRegion(RegionId region);

    /// <summary>
    /// The orphaned versions of <paramref name="grain"/> reconciled by whichever region owned it then (see
    /// <see cref="ReconciliationRecord"/>), oldest orphan first. Each record is kept in the region that made it, so every
    /// region is asked (one read of the grain's partition each, through the links); a region other than the grain's
    /// current owner that does not answer is left out until it is back.
    /// </summary>
    /// <exception cref="GeoGrainNotRegisteredException">The grain is not a registered geo grain.</exception>
    /// <exception cref="RegionUnreachableException">The grain's owner region cannot be reached.</exception>
    [ReadOnly]
    Task<IReadOnlyList<ReconciliationRecord>> GetReconciliations(GrainId grain);

    /// <summary>
    /// The conflicts of the active-active grain <paramref name="grain"/> (see <see cref="ConflictRecord"/>), oldest
    /// resolution first. Each record is kept in the region that resolved it, so every region is asked (one read of the
    /// grain's partition each, through the links); a region that does not answer is left out until it is back. A conflict
    /// several regions resolved is listed once (the same <see cref="ConflictRecord.Id"/>).
    /// </summary>
    /// <exception cref="GeoGrainNotRegisteredException">The grain is not a registered geo grain.</exception>
    [ReadOnly]
    Task<IReadOnlyList<ConflictRecord>> GetConflicts(GrainId grain);

    /// <summary>
    /// The conflicts of <paramref name="grain"/> resolved within [<paramref name="from"/>, <paramref name="to"/>) (by
    /// <see cref="ConflictRecord.ResolvedAt"/>), oldest first: <see cref="GetConflicts(GrainId)"/> narrowed to the window.
    /// It costs what that costs: one read of the grain's partition per region.
    /// </summary>
    /// <exception cref="GeoGrainNotRegisteredException">The grain is not a registered geo grain.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="to"/> is not after <paramref name="from"/>.</exception>
    [ReadOnly]
    Task<IReadOnlyList<ConflictRecord>> GetConflicts(GrainId grain, DateTimeOffset from, DateTimeOffset to);

    /// <summary>
    /// The conflict feed by time, across grains: at most <paramref name="limit"/> conflicts and reconciliations (see
    /// <see cref="ConflictRecord"/>) resolved within [<paramref name="from"/>, <paramref name="to"/>) (by
    /// <see cref="ConflictRecord.ResolvedAt"/>'s wall-clock part), the oldest first. Each region indexes the records it
    /// keeps by time; every region is asked, and a region that does not answer is left out until it is back. A conflict
    /// several regions resolved is listed once (the same grain and <see cref="ConflictRecord.Id"/>). The cost follows
    /// the records returned (each region reads at most <paramref name="limit"/> index entries and one record per entry,
    /// plus one index row per hour of the window that had any), not the number of grains or of conflicts outside the window.
    /// To read a long window page by page, ask again from the last record's <see cref="HybridTimestamp.WallClock"/>
    /// and skip the records already seen.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="to"/> is not after <paramref name="from"/>, or <paramref name="limit"/> is not within 1 to
    /// <see cref="ConflictFeed.MaxLimit"/>.
    /// </exception>
    [ReadOnly]
    Task<IReadOnlyList<ConflictRecord>> GetConflicts(DateTimeOffset from, DateTimeOffset to, int limit);
}
