using GeoGrains.Silo.Demo;

namespace GeoGrains.DevCluster.Demo;

/// <summary>
/// A steady trickle of writes so the live view has replication to show: each region's client writes to geo grains homed
/// in every region, so some writes run locally and some are forwarded to their home region.
/// </summary>
internal static class DemoWorkload
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    public static async Task RunAsync(IDevCluster cluster, CancellationToken stopping)
    {
        var regions = cluster.Topology.RegionIds.ToList();
        using var timer = new PeriodicTimer(Interval);
        var tick = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                tick++;
                await Task.WhenAll(regions.Select(async from =>
                {
                    var home = regions[(tick + regions.IndexOf(from)) % regions.Count];
                    try
                    {
                        await cluster.Client(from).GetGrain<IDemoProfileGrain>($"{home}/demo-{tick % 20}").Visit(from);
                    }
                    catch (Exception exception) when (exception is GeoGrainsException or TimeoutException or Orleans.Runtime.OrleansException)
                    {
                        // A region or its storage may be unreachable, or a region without its lease while its health observer
                        // moves to another silo; the live view shows it. The workload carries on.
                    }
                }));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
