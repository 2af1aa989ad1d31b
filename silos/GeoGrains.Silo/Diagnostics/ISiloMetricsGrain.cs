
namespace GeoGrains.Silo.Diagnostics;

/// <summary>
/// One silo's own link and replication counters. Its key is the silo's address (<c>SiloAddress.ToParsableString()</c>)
/// and it always activates on that silo, so a client can read every silo of a region, e.g. from
/// <c>IManagementGrain.GetHosts</c>. Counters are per process: a silo shares them only with silos in the same process.
/// </summary>
public interface ISiloMetricsGrain : IGrainWithStringKey
{
    /// <summary>The counters of every ordered pair of regions, as this silo's process has recorded them.</summary>
    Task<SiloMetrics> Read();
}

/// <summary>What one silo's process has recorded.</summary>
/// <param name="Where">The silo and its process.</param>
/// <param name="Pairs">One entry per ordered pair of distinct regions of the topology.</param>
/// <param name="Unacknowledged">
/// Grains whose latest change committed on this silo some region has not acknowledged yet: zero when everything this
/// silo wrote has reached every region.
/// </param>
/// <param name="OutboxMarkers">
/// Outbox markers this silo holds and has not deleted yet; a marker stays a little while after every region acknowledged
/// its grain (<c>ReplicationOptions.MarkerLinger</c>).
/// </param>
[GenerateSerializer, Immutable]
public sealed record SiloMetrics(
    [property: Id(0)] SiloProcess Where,
    [property: Id(1)] IReadOnlyList<RegionPairCounters> Pairs,
    [property: Id(2)] int Unacknowledged,
    [property: Id(3)] int OutboxMarkers);

/// <summary>Counters of one ordered region pair, from one process.</summary>
/// <param name="From">The sending (source) region.</param>
/// <param name="To">The receiving (target) region.</param>
/// <param name="Messages">Grain messages sent on the link.</param>
/// <param name="Bytes">Bytes sent on the link.</param>
/// <param name="ChangesApplied">Replicated changes from <paramref name="From"/> applied in <paramref name="To"/>.</param>
/// <param name="LastLagMilliseconds">Replication lag of the latest applied change.</param>
[GenerateSerializer, Immutable]
public sealed record RegionPairCounters(
    [property: Id(0)] RegionId From,
    [property: Id(1)] RegionId To,
    [property: Id(2)] long Messages,
    [property: Id(3)] long Bytes,
    [property: Id(4)] long ChangesApplied,
    [property: Id(5)] double LastLagMilliseconds);
