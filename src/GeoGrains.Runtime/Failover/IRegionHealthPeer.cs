namespace GeoGrains.Runtime.Failover;

/// <summary>The region health observer as the other regions and the region's own silos call it. Key 0.</summary>
internal interface IRegionHealthPeer : IGrainWithIntegerKey
{
    /// <summary>A probe from another region: takes in its report and configuration, confirms its lease, answers with this region's.</summary>
    /// <exception cref="UnknownRegionException">The prober is not a region of the topology.</exception>
    Task<HealthProbeReply> Exchange(HealthProbe probe);

    /// <summary>
    /// A silo of another region asks this region to confirm its region's lease: confirmed unless this region holds that
    /// region away, and recorded for the region (not the silo), so that no takeover of it is accepted here for a lease
    /// period after the last confirmation given to any of its silos.
    /// </summary>
    /// <exception cref="UnknownRegionException">The holder is not a region of the topology.</exception>
    Task<LeaseReply> ConfirmLease(LeaseRequest request);

    /// <summary>
    /// What the region's silos route and write by; activates the observer if it is not running (e.g. after the silo that
    /// ran it died). Every silo calls it every probe interval.
    /// </summary>
    Task<FailoverStatus> GetStatus();

    /// <summary>Phase 1 of <see cref="OwnershipAgreement"/> at this region's acceptor.</summary>
    Task<PrepareReply> Prepare(Ballot ballot);

    /// <summary>Phase 2 of <see cref="OwnershipAgreement"/> at this region's acceptor.</summary>
    Task<AcceptReply> Accept(Ballot ballot, RegionConfiguration value);

    /// <summary>A configuration the regions chose.</summary>
    Task Learn(RegionConfiguration chosen);

    /// <summary>A silo of this region served the first write under a takeover's epoch: recorded once in the timeline.</summary>
    Task FirstWriteServed(long epoch);

    /// <summary>
    /// Moves everything <paramref name="region"/> owns to successors (<paramref name="away"/>) or gives it back, by a
    /// planned, agreed switchover; completes once the regions have agreed.
    /// </summary>
    /// <exception cref="UnknownRegionException">The region is not in the topology.</exception>
    /// <exception cref="InvalidOperationException">Fewer than three regions, or the last owning region would be drained.</exception>
    /// <exception cref="RegionUnreachableException">The region to restore does not answer, or no majority agreed.</exception>
    Task ChangeTenure(RegionId region, bool away);
}
