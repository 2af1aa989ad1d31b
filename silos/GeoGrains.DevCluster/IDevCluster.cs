using GeoGrains.Runtime.Topology;

namespace GeoGrains.DevCluster;

/// <summary>The running regions as the live view, the round-trip table and the demo workload see them, whether the silos run in this process or in their own.</summary>
internal interface IDevCluster : IAsyncDisposable
{
    GeoTopology Topology { get; }

    int SilosPerRegion { get; }

    /// <summary>An Orleans client connected to the region's gateways.</summary>
    IClusterClient Client(RegionId region);

    /// <summary>Link and replication counters of every ordered region pair, summed over the silos that recorded them.</summary>
    Task<IReadOnlyList<PairTraffic>> ReadTrafficAsync(CancellationToken cancellationToken);
}

/// <summary>What crossed from one region to another so far.</summary>
internal sealed record PairTraffic(RegionId From, RegionId To, long Messages, long Bytes, long ChangesApplied, double LastLagMilliseconds, bool Cut);
