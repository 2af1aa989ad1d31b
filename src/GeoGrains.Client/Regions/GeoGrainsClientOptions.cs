using Orleans.Hosting;

namespace GeoGrains.Client;

/// <summary>
/// Settings of the region-aware client (<c>UseGeoGrainsClient</c>), bound from the configuration section
/// <c>GeoGrains:Client</c>: the regions it may use and how it chooses between them.
/// </summary>
public sealed class GeoGrainsClientOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "GeoGrains:Client";

    /// <summary>The regions the client may send calls to, each with its gateways. At least one is required.</summary>
    public List<GeoClientRegionOptions> Regions { get; set; } = [];

    /// <summary>
    /// Regions to use in this order while they are healthy, before any other; measured round trips order the rest.
    /// Empty: the nearest healthy region by measured round trip.
    /// </summary>
    public List<string> PreferredRegions { get; set; } = [];

    /// <summary>The Orleans <c>ServiceId</c> of every region's cluster, unless a region sets its own. Default <c>geograins</c>, as the silos use.</summary>
    public string ServiceId { get; set; } = "geograins";

    /// <summary>How often every region is probed (<c>IRegionProbeGrain.Probe</c>) for health and round trip. Default 5 s.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Weight of the newest probe in a region's smoothed round trip (an exponentially weighted moving average), in
    /// (0, 1]. Default 0.3: one slow probe does not move the client, a lasting change does within a few probes.
    /// </summary>
    public double LatencySmoothing { get; set; } = 0.3;

    /// <summary>
    /// How long a better region (preferred, or clearly nearer) must stay healthy before the client moves back to it.
    /// Default 30 s, so that a region that flaps does not drag the client along.
    /// </summary>
    public TimeSpan FailbackAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The deadline of each call, failover included. Default 30 s: Orleans' own response timeout, and long enough for a
    /// write that waits for an ownership transfer or a region's first lease, which the silos bound by seconds.
    /// </summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long connecting to a region, or one probe of it, may take before the region counts as down. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Opt-in: learn from responses which region owns each grain and send its writes straight there, saving the hop
    /// through the current region; falls back to the current region when the owner cannot be reached. Default off.
    /// </summary>
    public bool DirectHomeRouting { get; set; }

    /// <summary>
    /// Give every write an idempotency key (unless the app's <c>GeoContext</c> scope has one) and send a write whose
    /// outcome is unknown (its region failed or went silent with the write in flight) again, with the same key, through
    /// the next region: the grain's owner applies it at most once and returns the first result. Default on. Off, such a
    /// write fails with <see cref="WriteOutcomeUnknownException"/> instead.
    /// </summary>
    public bool IdempotentWrites { get; set; } = true;

    /// <summary>
    /// Extra configuration for the Orleans client of every region (serializers, streams, filters). GeoGrains' clustering,
    /// cluster options and call filters are set already. Code only; not bound from configuration.
    /// </summary>
    public Action<IClientBuilder>? ConfigureRegionClient { get; set; }
}
