using GeoGrains.Runtime.Topology;
using System.Diagnostics;
using GeoGrains.Runtime.Links;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Configuration;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Failover;

/// <summary>Answers probes locally on every silo and measures round trips to other regions through the links.</summary>
[StatelessWorker]
internal sealed class RegionProbeGrain(
    LocalRegion region,
    IRegionLinks links,
    IOptions<ClusterOptions> cluster,
    ILocalSiloDetails silo) : Grain, IRegionProbeGrain
{
    public Task<RegionProbeReply> Probe() =>
        Task.FromResult(new RegionProbeReply(region.Id, cluster.Value.ClusterId, silo.SiloAddress.ToParsableString()));

    public async Task<RegionRoundTrip> MeasureRoundTrip(RegionId target)
    {
        var started = Stopwatch.GetTimestamp();
        var reply = await links.InvokeAsync(target, factory => factory.GetGrain<IRegionProbeGrain>(0).Probe());
        return new RegionRoundTrip(reply, Stopwatch.GetElapsedTime(started), region.Id);
    }
}
