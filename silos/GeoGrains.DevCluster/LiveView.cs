using System.Diagnostics;
using System.Text;
using Orleans.Runtime;

namespace GeoGrains.DevCluster;

/// <summary>Prints each region's silos and the traffic on every link, every few seconds, until stopped.</summary>
internal static class LiveView
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(IDevCluster cluster, Stopwatch uptime, CancellationToken stopping)
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

    private static async Task<string> RenderAsync(IDevCluster cluster, TimeSpan uptime)
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

        IReadOnlyList<PairTraffic> traffic;
        try
        {
            traffic = await cluster.ReadTrafficAsync(CancellationToken.None);
        }
        catch (Exception exception) when (exception is TimeoutException or OrleansException)
        {
            view.AppendLine($"  traffic unavailable ({exception.GetType().Name})");
            return view.ToString();
        }

        view.AppendLine("  links (messages, bytes sent so far)");
        foreach (var pair in traffic.Where(p => p.Messages > 0 || p.Bytes > 0 || p.Cut).OrderBy(p => p.From).ThenBy(p => p.To))
        {
            var state = pair.Cut ? "  CUT" : string.Empty;
            view.AppendLine($"    {pair.From.Value,-11} -> {pair.To.Value,-11} {pair.Messages,8} msgs {pair.Bytes / 1024.0,10:0.0} KiB{state}");
        }

        view.AppendLine("  replication (demo workload; changes applied, lag of the latest)");
        foreach (var pair in traffic)
        {
            view.AppendLine($"    {pair.From.Value,-11} -> {pair.To.Value,-11} {pair.ChangesApplied,8} applied {pair.LastLagMilliseconds,7:0} ms lag");
        }

        return view.ToString();
    }
}
