namespace GeoGrains.Runtime.Failover;

/// <summary>
/// One region's probe of another: its health report (its votes), the generation of the configuration it routes by,
/// and that configuration when the probed region was behind at the last probe. The probe also asks for a lease grant.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record HealthProbe(
    [property: Id(0)] RegionHealthReport Report,
    [property: Id(1)] long Generation,
    [property: Id(2)] RegionConfiguration? Configuration);

/// <summary>
/// The answer to a <see cref="HealthProbe"/>: the probed region's report, whether it confirms the prober's lease (it does
/// unless it holds the prober away), and its configuration when the prober's is older. <see cref="FenceGeneration"/> is
/// the newest generation the probed region has accepted or learned: the confirmation counts only for a prober that has
/// learned that generation, so no region keeps writing under a configuration a majority has moved past.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record HealthProbeReply(
    [property: Id(0)] RegionHealthReport Report,
    [property: Id(1)] bool LeaseGranted,
    [property: Id(2)] long Generation,
    [property: Id(3)] RegionConfiguration? Configuration,
    [property: Id(4)] long FenceGeneration);

/// <summary>What a region's silos need from its health observer: the configuration to route by, the lease, who is suspected.</summary>
/// <param name="Configuration">The newest configuration the region learned was chosen.</param>
/// <param name="LeaseLeft">How much longer the lease holds, counted from when the observer answered; null when it does not hold.</param>
/// <param name="Unavailable">The regions the observer suspects or holds down: calls to them wait for a takeover.</param>
/// <param name="SelfGrants">
/// Whether the region's own acceptor confirms the region's lease now (it holds the region neither away nor fenced by a
/// value it accepted but has not learned): the region's own vote toward each silo's lease (<see cref="SiloLease"/>).
/// </param>
[GenerateSerializer, Immutable]
internal sealed record FailoverStatus(
    [property: Id(0)] RegionConfiguration Configuration,
    [property: Id(1)] TimeSpan? LeaseLeft,
    [property: Id(2)] IReadOnlyList<RegionId> Unavailable,
    [property: Id(3)] bool SelfGrants = false);

/// <summary>
/// A silo's request to another region's observer to confirm its region's lease (<see cref="SiloLease"/>), with the
/// generation of the configuration the silo routes by, so that the answer carries the configuration when the silo is behind.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record LeaseRequest(
    [property: Id(0)] RegionId Holder,
    [property: Id(1)] long Generation);

/// <summary>
/// The answer to a <see cref="LeaseRequest"/>: whether the granter confirms the lease (unless it holds the holder's region
/// away), the generation it learned, that configuration when the silo's is older, and its fence generation (the newest it
/// accepted or learned: the confirmation counts only for a silo that has learned it, as for <see cref="HealthProbeReply"/>).
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record LeaseReply(
    [property: Id(0)] bool Granted,
    [property: Id(1)] long Generation,
    [property: Id(2)] RegionConfiguration? Configuration,
    [property: Id(3)] long FenceGeneration);
