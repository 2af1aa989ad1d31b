namespace GeoGrains.Configuration;

/// <summary>
/// How regions take over a failed region's grains (<c>GeoGrains:Failover</c>). A region takes writes for what it owns
/// only while a majority of regions has confirmed its lease within <see cref="LeasePeriod"/>; when a majority declares it
/// down, and its lease has certainly lapsed, the regions agree on successors that take over everything it owned.
/// </summary>
public sealed class FailoverOptions
{
    /// <summary>
    /// Whether regions hold leases and take over a failed region's grains automatically. Default: on when the topology
    /// has three regions or more. With two regions no majority survives the loss of one, so leases would stop both at
    /// every partition: failover is then off, and a region cut off keeps writing what it owns.
    /// </summary>
    public bool? Automatic { get; set; }

    /// <summary>
    /// How long a lease lasts after a majority of regions confirmed it (each region probe confirms it). Default 3 s: a
    /// region cut off stops writing at most this long after its last confirmation, and the others take its grains over
    /// only after that, so the failed region's lease has lapsed by the time its failure is declared (3 failed probes).
    /// </summary>
    public TimeSpan LeasePeriod { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The most two regions' clocks may drift apart over one lease period. Default 250 ms. A lease holder counts its lease
    /// as this much shorter than the regions that confirmed it do. The hybrid logical clocks take it as the most one
    /// region's wall clock may be ahead of another's: a reading further ahead is not followed (and is reported).
    /// </summary>
    public TimeSpan MaxClockOffset { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long a write waits while its grain's owner is suspected or being taken over, before it fails with
    /// <see cref="RegionUnreachableException"/>. Default 30 s. Writes that arrive during a transfer are queued and run at
    /// the new owner once it is in place.
    /// </summary>
    public TimeSpan QueuedWriteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most writes one silo queues while owners are being taken over; more fail at once. Default 10,000.</summary>
    public int MaxQueuedWrites { get; set; } = 10_000;

    /// <summary>
    /// Each region's capacity, as a multiple of its own normal load (region id to factor). Default 1.5 for every region:
    /// the seed's rule of 50% headroom. A failed region's partitions go to the survivors with the freshest copy of its
    /// data first, and to others once a survivor's load would pass its capacity.
    /// </summary>
    public Dictionary<string, double> Capacity { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How long a region taken over after a failure must stay reachable from a majority before its grains are given back
    /// to it automatically, by a planned switchover that loses nothing. Default 30 s. <see langword="null"/>: only
    /// <c>RestoreRegionAsync</c> gives them back. A region drained with <c>DrainRegionAsync</c> never returns on its own.
    /// </summary>
    public TimeSpan? FailbackAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The default capacity factor of a region not named in <see cref="Capacity"/>.</summary>
    public const double DefaultCapacity = 1.5;

    /// <summary>
    /// A deliberately broken configuration, for tests only (not bound from configuration): regions write without a lease
    /// and take over others without waiting for theirs to lapse, so an isolated region and its successors both write.
    /// The tests show the history checker catching it.
    /// </summary>
    internal bool IgnoreLeases { get; set; }

    /// <summary>Whether failover is on for a topology of <paramref name="regions"/> regions.</summary>
    public bool IsAutomatic(int regions) => Automatic ?? regions >= 3;

    /// <summary>The capacity factor of <paramref name="region"/>.</summary>
    public double CapacityOf(RegionId region) => Capacity.TryGetValue(region.Value, out var capacity) ? capacity : DefaultCapacity;
}
