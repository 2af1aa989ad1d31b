using GeoGrains.Hosting;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Configuration;
using Orleans.Hosting;

namespace GeoGrains.Client.Regions;

/// <summary>
/// The Orleans client of one region, in an internal host of its own (each region is its own cluster). Connected on first
/// use (the first probe, at start) and rebuilt after its connection fails, so a region that restarts is found again.
/// </summary>
internal sealed class RegionConnection(ClientRegion region, GeoClientSettings settings, ClientLinkEmulation? emulation, ILogger logger) : IAsyncDisposable
{
    private readonly ClientHostSlot _slot = new(typeof(RegionConnection));

    public ClientRegion Region => region;

    /// <summary>The client if connected now, without connecting.</summary>
    public IClusterClient? Connected => _slot.Connected;

    /// <summary>The connected client, connecting first if needed within <paramref name="timeout"/>.</summary>
    /// <exception cref="RegionNotReachedException">No connection within the timeout, or the connection was refused.</exception>
    public async Task<IClusterClient> GetClientAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_slot.Connected is { } connected)
        {
            return connected;
        }

        if (timeout <= TimeSpan.Zero)
        {
            throw new RegionNotReachedException(region.Id, "no time was left to connect");
        }

        // One connection attempt at a time: callers arriving meanwhile wait for it (within their own timeout) and share it.
        return await _slot.ConnectAsync(() => StartAsync(timeout, cancellationToken), timeout, cancellationToken)
            ?? throw new RegionNotReachedException(region.Id, $"no connection to its gateways within {timeout.TotalMilliseconds:0} ms");
    }

    /// <summary>Drops a client whose connection failed; the next call connects anew.</summary>
    public Task ResetAsync(IClusterClient broken) => _slot.ResetAsync(broken);

    public ValueTask DisposeAsync() => _slot.DisposeAsync();

    private async Task<IHost> StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (emulation?.CutReason(region.Id) is { } cut)
        {
            throw new RegionNotReachedException(region.Id, $"the emulated link is cut ({cut})");
        }

        var connectTimeout = timeout < settings.ConnectTimeout ? timeout : settings.ConnectTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(connectTimeout);
        IHost host;
        try
        {
            var gateways = await ResolveAsync(deadline.Token);
            host = BuildHost(gateways);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new RegionNotReachedException(region.Id, $"its gateways {Gateways} could not be resolved ({exception.Message})", exception);
        }

        try
        {
            await host.StartAsync(deadline.Token);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await ClientHostSlot.StopAndDisposeAsync(host);
            var reason = deadline.IsCancellationRequested
                ? $"no connection to its gateways {Gateways} within {connectTimeout.TotalMilliseconds:0} ms"
                : $"could not connect to its gateways {Gateways} ({exception.GetType().Name}: {exception.Message})";
            throw new RegionNotReachedException(region.Id, reason, exception);
        }

        logger.LogInformation("Connected to region {Region} ({ClusterId}).", region.Id, region.ClusterId);
        return host;
    }

    private string Gateways => string.Join(", ", region.Gateways.Select(Describe));

    private static string Describe(EndPoint endpoint) => endpoint is DnsEndPoint dns ? $"{dns.Host}:{dns.Port}" : endpoint.ToString()!;

    private async Task<IPEndPoint[]> ResolveAsync(CancellationToken cancellationToken)
    {
        var resolved = new List<IPEndPoint>();
        foreach (var gateway in region.Gateways)
        {
            if (gateway is IPEndPoint ip)
            {
                resolved.Add(ip);
            }
            else if (gateway is DnsEndPoint dns)
            {
                var addresses = await Dns.GetHostAddressesAsync(dns.Host, cancellationToken);
                resolved.AddRange(addresses.Select(a => new IPEndPoint(a, dns.Port)));
            }
        }

        return [.. resolved];
    }

    private IHost BuildHost(IPEndPoint[] gateways) =>
        new HostBuilder()
            // The Orleans client logs an unreachable region as a failed host at error level; the region-aware client
            // reports region failures itself, at the level they deserve.
            .ConfigureServices(services => services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance))
            .UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = region.ClusterId;
                    o.ServiceId = region.ServiceId;
                });
                client.UseStaticClustering(gateways);

                // The region-aware client keeps each call's deadline itself; Orleans' must not cut it shorter.
                client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = settings.CallTimeout);
                settings.ConfigureRegionClient?.Invoke(client);
                if (emulation is not null)
                {
                    client.AddOutgoingGrainCallFilter(new LinkEmulationFilter(region.Id, emulation));
                }

                client.AddGeoGrainsClient();
            })
            .Build();
}
