namespace GeoGrains.Runtime.Failover;

/// <summary>
/// How regions watch each other (<c>GeoGrains:Health</c>): every region probes every other region every
/// <see cref="ProbeInterval"/>; after <see cref="FailuresToSuspect"/> failed probes in a row it suspects that region, and a
/// region is declared down when a majority of all regions suspect it.
/// </summary>
public sealed class RegionHealthOptions
{
    /// <summary>How often each other region is probed. Default 1 s.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a probe may take before it counts as failed. Default 1 s.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Failed probes in a row after which a region is suspected. Default 3: with the default interval, a dead region is
    /// suspected about three to four seconds after it stopped answering. One successful probe clears the suspicion.
    /// </summary>
    public int FailuresToSuspect { get; set; } = 3;
}
