using System.Net;
using GeoGrains.Runtime.Hosting;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;

namespace GeoGrains.Silo;

/// <summary>Builds the host of one silo of one region: localhost clustering with a primary silo, GeoGrains, region storage.</summary>
public static class RegionSiloHost
{
    /// <summary>
    /// Creates the host builder from command-line arguments, environment variables (<c>GeoGrains__Region</c>, …) and
    /// <c>appsettings.json</c>, in increasing precedence from file to command line.
    /// </summary>
    /// <param name="args">Command-line arguments, e.g. <c>--region eu-west --silo-port 11211 --gateway-port 30100</c>.</param>
    /// <param name="topology">The topology, replacing the configured one (the dev cluster assigns its own ports).</param>
    /// <param name="overrides">Configuration that wins over every other source, e.g. log levels.</param>
    /// <param name="configureServices">Services to add, e.g. a shared network emulator.</param>
    /// <exception cref="InvalidTopologyException">The region is missing or not in the topology, or the topology is invalid.</exception>
    public static HostApplicationBuilder CreateBuilder(
        string[] args,
        GeoTopology? topology = null,
        IReadOnlyDictionary<string, string?>? overrides = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddCommandLine(args, RegionSiloSettings.CommandLineSwitches.ToDictionary());
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        var geo = builder.Configuration.GetSection(GeoGrainsOptions.SectionName).Get<GeoGrainsOptions>() ?? new GeoGrainsOptions();
        topology ??= GeoTopology.FromOptions(geo.Topology ?? GeoTopology.DefaultOptions());
        if (!RegionId.TryParse(geo.Region, out var region) || !topology.Contains(region))
        {
            throw new InvalidTopologyException(
                $"choose this silo's region with --region (or GeoGrains:Region); '{geo.Region}' is not one of {string.Join(", ", topology.RegionIds)}.");
        }

        var silo = RegionSiloSettings.From(builder.Configuration);
        builder.UseOrleans(siloBuilder =>
        {
            siloBuilder.UseLocalhostClustering(
                siloPort: silo.SiloPort,
                gatewayPort: silo.GatewayPort,
                primarySiloEndpoint: new IPEndPoint(IPAddress.Loopback, silo.PrimarySiloPort ?? silo.SiloPort),
                serviceId: builder.Configuration["Orleans:ServiceId"] ?? "geograins",
                clusterId: topology[region].ClusterId);
            siloBuilder.AddGeoGrains(builder.Configuration.GetSection(GeoGrainsOptions.SectionName));
            var chosen = topology.ToOptions();
            siloBuilder.Services.PostConfigure<GeoGrainsOptions>(o => o.Topology = chosen);
            siloBuilder.AddRegionGrainStorageAsDefault();
        });
        configureServices?.Invoke(builder.Services);
        return builder;
    }
}
