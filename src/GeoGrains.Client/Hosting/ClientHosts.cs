using Microsoft.Extensions.Hosting;

namespace GeoGrains.Client.Hosting;

/// <summary>Stopping the internal hosts that run one Orleans client each (a region's, for the links and for client apps).</summary>
internal static class ClientHosts
{
    /// <summary>Stops <paramref name="host"/> within two seconds if it can, then disposes it.</summary>
    public static async Task DisposeAsync(IHost host)
    {
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await host.StopAsync(stop.Token);
        }
        catch (Exception)
        {
            // A client whose cluster is gone cannot stop gracefully; disposing it is all that is left to do.
        }

        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }
}
