using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace GeoGrains.DevCluster;

/// <summary>One Orleans client per region, on the region's gateways from the topology.</summary>
internal static class RegionClients
{
    public const string ServiceId = "geograins-dev";

    /// <summary>
    /// Starts a client of <paramref name="region"/>. While <paramref name="keepTrying"/> is not cancelled, a region whose
    /// gateways do not listen yet (silo processes still starting) is tried again instead of failing the start.
    /// </summary>
    public static async Task<IHost> StartAsync(GeoTopology topology, RegionId region, CancellationToken keepTrying)
    {
        var client = new HostBuilder()
            .UseOrleansClient(c => c
                .UseStaticClustering([.. topology[region].Gateways])
                .Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = topology[region].ClusterId;
                    o.ServiceId = ServiceId;
                })
                .UseConnectionRetryFilter(async (_, cancellationToken) =>
                {
                    if (keepTrying.IsCancellationRequested || cancellationToken.IsCancellationRequested)
                    {
                        return false;
                    }

                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                        return true;
                    }
                    catch (OperationCanceledException)
                    {
                        return false;
                    }
                }))
            .Build();
        try
        {
            await client.StartAsync(keepTrying);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
