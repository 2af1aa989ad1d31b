using GeoGrains.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Topology;

/// <summary>
/// Refuses to start a silo whose region or topology cannot work (<c>GeoGrains:Region</c>, <c>GeoGrains:Topology</c>,
/// <c>GeoGrains:PartitionsPerRegion</c>), naming the problem. Each feature's section has its own validator beside it.
/// </summary>
internal sealed class TopologyOptionsValidator(IOptions<GeoGrainsOptions> options, IOptions<ClusterOptions> clusterOptions) : IConfigurationValidator
{
    public void ValidateConfiguration() => Resolve(options.Value, clusterOptions.Value);

    /// <summary>Builds the topology and the local region, or throws <see cref="InvalidTopologyException"/>.</summary>
    internal static (GeoTopology Topology, RegionId Region) Resolve(GeoGrainsOptions options, ClusterOptions cluster)
    {
        var topology = GeoTopology.FromOptions(options.Topology ?? GeoTopology.DefaultOptions());
        if (string.IsNullOrWhiteSpace(options.Region))
        {
            throw new InvalidTopologyException($"this silo's region is not set (GeoGrains:Region); choose one of {string.Join(", ", topology.RegionIds)}.");
        }

        if (!RegionId.TryParse(options.Region, out var region) || !topology.Contains(region))
        {
            throw new InvalidTopologyException($"this silo's region '{options.Region}' is not in the topology ({string.Join(", ", topology.RegionIds)}).");
        }

        var descriptor = topology[region];
        if (!string.Equals(cluster.ClusterId, descriptor.ClusterId, StringComparison.Ordinal))
        {
            throw new InvalidTopologyException(
                $"this silo's ClusterId '{cluster.ClusterId}' differs from region '{region}''s cluster id '{descriptor.ClusterId}'; every region is its own Orleans cluster.");
        }

        foreach (var other in topology.Regions.Where(r => r.Id != region && r.Gateways.Count == 0))
        {
            throw new InvalidTopologyException($"region '{other.Id}' has no gateways, so region '{region}' cannot reach it.");
        }

        if (options.PartitionsPerRegion < 1)
        {
            throw new InvalidTopologyException($"GeoGrains:PartitionsPerRegion must be at least 1 (got {options.PartitionsPerRegion}): every region's grains are spread over that many home partitions.");
        }

        return (topology, region);
    }
}
