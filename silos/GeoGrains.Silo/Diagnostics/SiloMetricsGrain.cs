using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Topology;
using Orleans.Runtime;

namespace GeoGrains.Silo.Diagnostics;

/// <summary>Reads the counters of the silo its key names; placed on that silo.</summary>
[SiloKeyPlacement]
internal sealed class SiloMetricsGrain(
    LinkMeter links, ReplicationMetrics replication, GeoReplication shipping, GeoTopology topology, ILocalSiloDetails silo)
    : Grain, ISiloMetricsGrain
{
    public Task<SiloMetrics> Read()
    {
        var pairs = new List<RegionPairCounters>();
        foreach (var from in topology.RegionIds)
        {
            foreach (var to in topology.RegionIds.Where(to => to != from))
            {
                var link = links.Get(from, to);
                var changes = replication.Get(from, to);
                pairs.Add(new RegionPairCounters(from, to, link.Messages, link.Bytes, changes.ChangesApplied, changes.LastLagMilliseconds));
            }
        }

        return Task.FromResult(new SiloMetrics(SiloProcess.Of(silo), pairs, shipping.Outbox.Unacknowledged, shipping.Outbox.Count));
    }
}
