using System.Diagnostics;
using System.Text;
using Orleans.Runtime;

namespace GeoGrains.DevCluster;

/// <summary>Prints each region's silos and the traffic on every link, every few seconds, until stopped.</summary>
internal static class LiveView
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(LocalGeoCluster cluster, Stopwatch uptime, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                Console.Write(await RenderAsync(cluster, uptime.Elapsed));
            }
            while (await timer.WaitForNextTickAsync(stopping));
        }
        catch (OperationCanceledException)
        {
            // Stopped: Ctrl+C or --duration.
        }

        // One last view, so that a run with --duration ends with its totals.
        Console.Write(await RenderAsync(cluster, uptime.Elapsed));
    }

    private static async Task<string> RenderAsync(LocalGeoCluster cluster, TimeSpan uptime)
    {
        var view = new StringBuilder();
        view.AppendLine($"[{uptime:hh\\:mm\\:ss}] regions");
        foreach (var region in cluster.Topology.Regions)
        {
            string silos;
            try
            {
                var hosts = await cluster.Client(region.Id).GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(2));
                silos = $"{hosts.Count}/{cluster.SilosPerRegion} silos active";
            }
            catch (Exception exception) when (exception is TimeoutException or OrleansException)
            {
                silos = $"unreachable ({exception.GetType().Name})";
            }

            view.AppendLine($"  {region.Id.Value,-11} {region.Jurisdiction,-5} {region.ClusterId,-16} {silos}");
        }

        view.AppendLine("  links (messages, bytes sent so far)");
        foreach (var ((from, to), traffic) in cluster.Meter.Snapshot().OrderBy(p => p.Key.From).ThenBy(p => p.Key.To))
        {
            var state = cluster.Network.IsCut(from, to) ? "  CUT" : string.Empty;
            view.AppendLine($"    {from.Value,-11} -> {to.Value,-11} {traffic.Messages,8} msgs {traffic.Bytes / 1024.0,10:0.0} KiB{state}");
        }

        view.AppendLine("  replication (demo workload; changes applied, lag of the latest)");
        foreach (var source in cluster.Topology.RegionIds)
        {
            foreach (var target in cluster.Topology.RegionIds.Where(t => t != source))
            {
                var traffic = cluster.Replication.Get(source, target);
                view.AppendLine($"    {source.Value,-11} -> {target.Value,-11} {traffic.ChangesApplied,8} applied {traffic.LastLagMilliseconds,7:0} ms lag");
            }
        }

        return view.ToString();
    }
}
