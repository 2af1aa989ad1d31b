using Orleans.Concurrency;

namespace GeoGrains;

/// <summary>
/// A system grain present in every region: answers where it runs and measures round trips to other regions
/// over the inter-region links. Any key works; activations are local to the silo that receives the call.
/// </summary>
public interface IRegionProbeGrain : IGrainWithIntegerKey
{
    /// <summary>Answers with the region, cluster and silo that served the call.</summary>
    [ReadOnly]
    Task<RegionProbeReply> Probe();

    /// <summary>
    /// Calls <see cref="Probe"/> in <paramref name="target"/> through the links and returns the measured round trip.
    /// </summary>
    /// <exception cref="RegionUnreachableException">The target region did not answer.</exception>
    /// <exception cref="UnknownRegionException">The target region is not part of the topology.</exception>
    [ReadOnly]
    Task<RegionRoundTrip> MeasureRoundTrip(RegionId target);
}

/// <summary>Where a probe was answered.</summary>
/// <param name="Region">The region that answered.</param>
/// <param name="ClusterId">The Orleans cluster id of that region.</param>
/// <param name="Silo">The silo that answered.</param>
[GenerateSerializer, Immutable]
public sealed record RegionProbeReply(
    [property: Id(0)] RegionId Region,
    [property: Id(1)] string ClusterId,
    [property: Id(2)] string Silo);

/// <summary>A round trip measured from one region to another.</summary>
/// <param name="Reply">What the target answered.</param>
/// <param name="Elapsed">The time from sending the call to receiving the reply, in the calling region.</param>
/// <param name="CalledFrom">The region that made the call.</param>
[GenerateSerializer, Immutable]
public sealed record RegionRoundTrip(
    [property: Id(0)] RegionProbeReply Reply,
    [property: Id(1)] TimeSpan Elapsed,
    [property: Id(2)] RegionId CalledFrom);
