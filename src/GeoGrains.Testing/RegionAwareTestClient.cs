using GeoGrains.Client;
using GeoGrains.Client.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GeoGrains.Testing;

/// <summary>
/// A region-aware client (<c>UseGeoGrainsClient</c>) "placed" in a region of a <see cref="GeoTestCluster"/>: its probes
/// and calls to each region take the emulated one-way delay from <see cref="PlacedIn"/> both ways, and links the emulator
/// cuts from that region refuse them. Dispose it to stop it.
/// </summary>
public sealed class RegionAwareTestClient : IAsyncDisposable
{
    private readonly IHost _host;

    internal RegionAwareTestClient(RegionId placedIn, IHost host)
    {
        PlacedIn = placedIn;
        _host = host;
    }

    /// <summary>The region the client is placed in.</summary>
    public RegionId PlacedIn { get; }

    /// <summary>The client as the app sees it.</summary>
    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Which region it uses, how it sees each region, its session.</summary>
    public IGeoClient Geo => _host.Services.GetRequiredService<IGeoClient>();

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Probes every region now, instead of waiting for the next probe round.</summary>
    public Task ProbeNowAsync() => _host.Services.GetRequiredService<GeoClient>().ProbeAllAsync();

    /// <summary>Stops the client.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            _host.Dispose();
        }
    }
}
