namespace GeoGrains.Configuration;

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

    /// <summary>
    /// How long after a region's health observer starts it waits before it suspects a region it has not reached yet.
    /// Default 10 s: regions deployed together come up at slightly different times, and a region that starts a little
    /// late must not be taken over for it. A region the observer has reached once is suspected as usual. Zero turns the
    /// grace off.
    /// </summary>
    public TimeSpan StartupGrace { get; set; } = TimeSpan.FromSeconds(10);
}
