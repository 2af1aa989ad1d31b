using System.Net;
using GeoGrains.Runtime.Topology;

namespace GeoGrains.DevCluster;

/// <summary>The dev cluster's ports: each region takes 100 from the base port, silo ports first, gateways from 50 on.</summary>
internal static class DevPorts
{
    public static int Silo(DevClusterOptions options, int region, int silo) => options.BasePort + region * 100 + silo;

    public static int Gateway(DevClusterOptions options, int region, int silo) => options.BasePort + region * 100 + 50 + silo;

    /// <summary>The default topology's chosen regions, each with the gateways of its silos.</summary>
    public static GeoTopology Topology(DevClusterOptions options)
    {
        var topology = GeoTopology.Default.Subset(options.Regions);
        for (var i = 0; i < options.Regions.Count; i++)
        {
            var region = i;
            topology = topology.WithGateways(options.Regions[i], Enumerable.Range(0, options.SilosPerRegion)
                .Select(j => new IPEndPoint(IPAddress.Loopback, Gateway(options, region, j))));
        }

        return topology;
    }
}
