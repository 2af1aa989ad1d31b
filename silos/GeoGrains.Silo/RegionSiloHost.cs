using GeoGrains.Configuration;
using System.Net;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;

namespace GeoGrains.Silo;

/// <summary>
/// Builds the host of one silo of one region: GeoGrains, region storage, and clustering that follows the storage. With
/// Azure storage the region's silos find each other in Orleans' Azure table membership on the region's own account, so
/// any number of silo processes form the region's cluster; with in-memory storage, localhost clustering with a primary silo.
/// </summary>
public static class RegionSiloHost
{
    /// <summary>The configuration key of the membership table name, for messages.</summary>
    public const string MembershipTableNameSetting = "GeoGrains:Storage:MembershipTableName";

    private const string ProviderSetting = "GeoGrains:Storage:Provider";

    /// <summary>
    /// Creates the host builder from command-line arguments, environment variables (<c>GeoGrains__Region</c>, …) and
    /// <c>appsettings.json</c>, in increasing precedence from file to command line.
    /// </summary>
    /// <param name="args">Command-line arguments, e.g. <c>--region eu-west --silo-port 11211 --gateway-port 30100</c>.</param>
    /// <param name="topology">The topology, replacing the configured one (the dev cluster assigns its own ports).</param>
    /// <param name="overrides">Configuration that wins over every other source, e.g. log levels.</param>
    /// <param name="configureServices">Services to add, e.g. a shared network emulator.</param>
    /// <exception cref="InvalidTopologyException">
    /// The region is missing or not in the topology, the topology is invalid, or the storage cannot work (provider Azure
    /// without a connection string, a malformed one, an invalid table name); the message names the region and the setting.
    /// </exception>
    /// <exception cref="ArgumentException">A port or the advertised address is invalid.</exception>
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

        var silo = RegionSiloSettings.From(builder.Configuration);
        topology ??= silo.TopologyFile is { Length: > 0 } file
            ? ReadTopologyFile(file)
            : GeoTopology.FromOptions(builder.Configuration.GetSection(GeoTopologyOptions.SectionName).Get<GeoTopologyOptions>() ?? GeoTopology.DefaultOptions());
        var configuredRegion = builder.Configuration[$"{GeoGrainsOptions.SectionName}:Region"];
        if (!RegionId.TryParse(configuredRegion, out var region) || !topology.Contains(region))
        {
            throw new InvalidTopologyException(
                $"choose this silo's region with --region (or GeoGrains:Region); '{configuredRegion}' is not one of {string.Join(", ", topology.RegionIds)}.");
        }

        NormalizeProvider(builder.Configuration, region);
        var geo = builder.Configuration.GetSection(GeoGrainsOptions.SectionName).Get<GeoGrainsOptions>() ?? new GeoGrainsOptions();
        var serviceId = builder.Configuration["Orleans:ServiceId"] ?? "geograins";
        var clusterId = topology[region].ClusterId;
        if (geo.Storage.Provider == RegionStorageProvider.AzureTable)
        {
            // Checked here, before anything starts, so that the process ends at once with the region and the setting.
            ValidateAzureStorage(geo.Storage, region);
        }

        builder.UseOrleans(siloBuilder =>
        {
            if (geo.Storage.Provider == RegionStorageProvider.AzureTable)
            {
                var storage = geo.Storage;
                siloBuilder
                    .UseAzureStorageClustering(o =>
                    {
                        o.TableName = storage.MembershipTableName;
                        o.TableServiceClient = AzureTableSettings.CreateServiceClient(storage, region);
                    })
                    .Configure<ClusterOptions>(o =>
                    {
                        o.ClusterId = clusterId;
                        o.ServiceId = serviceId;
                    })
                    .ConfigureEndpoints(silo.AdvertisedIPAddress, silo.SiloPort, silo.GatewayPort);
            }
            else
            {
                siloBuilder.UseLocalhostClustering(
                    siloPort: silo.SiloPort,
                    gatewayPort: silo.GatewayPort,
                    primarySiloEndpoint: new IPEndPoint(IPAddress.Loopback, silo.PrimarySiloPort ?? silo.SiloPort),
                    serviceId: serviceId,
                    clusterId: clusterId);
            }

            siloBuilder.AddGeoGrains(builder.Configuration.GetSection(GeoGrainsOptions.SectionName));
            var chosen = topology.ToOptions();
            siloBuilder.Services.PostConfigure<GeoGrainsOptions>(o => o.Topology = chosen);
            siloBuilder.AddRegionGrainStorageAsDefault();
        });
        if (silo.ExitWhenStdinCloses)
        {
            builder.Services.AddHostedService<StdinWatch>();
            builder.Services.AddSingleton<IHostLifetime, SupervisedLifetime>();
        }

        configureServices?.Invoke(builder.Services);
        RefuseUnsharedMemoryStorage(builder.Services, geo.Storage, silo, region);
        return builder;
    }

    /// <summary>
    /// Accepts the provider as the command line spells it (<c>--storage memory|azure</c>) besides the enum names, and
    /// refuses anything else by name instead of the configuration binder's conversion error.
    /// </summary>
    private static void NormalizeProvider(IConfigurationManager configuration, RegionId region)
    {
        var value = configuration[ProviderSetting];
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        var provider = value.Trim().ToLowerInvariant() switch
        {
            "memory" => RegionStorageProvider.Memory,
            "azure" or "azuretable" => RegionStorageProvider.AzureTable,
            _ => throw new InvalidTopologyException(
                $"region '{region}': {ProviderSetting} (--storage) '{value}' is not a storage provider; use memory or azure (AzureTable)."),
        };
        configuration.AddInMemoryCollection([new(ProviderSetting, provider.ToString())]);
    }

    /// <summary>
    /// In-memory storage lives in the process that holds it. A silo joining another silo's region (its primary silo port
    /// is not its own) would keep a store of its own: the region's acceptor (who took over which region), ownership
    /// directory and grain records would each exist once per process, and a silo that took over the region's observer
    /// would forget promises the region gave. Refused unless the host shares one account between the region's silos (the
    /// dev cluster runs them in one process and registers the account).
    /// </summary>
    private static void RefuseUnsharedMemoryStorage(IServiceCollection services, RegionStorageOptions storage, RegionSiloSettings silo, RegionId region)
    {
        var joinsAnother = silo.PrimarySiloPort is { } primary && primary != silo.SiloPort;
        var shared = services.Any(d => d.ServiceType == typeof(RegionStorageAccount) && d.ImplementationInstance is not null);
        if (storage.Provider == RegionStorageProvider.Memory && joinsAnother && !shared)
        {
            throw new InvalidTopologyException(
                $"region '{region}': this silo joins the region's primary silo on port {silo.PrimarySiloPort} (--primary-silo-port), but {ProviderSetting} (--storage) is memory, "
                + "which lives in one process: each silo process would keep the region's data and its failover agreement on its own. "
                + "Run a region of several silo processes on azure storage (--storage azure), or one silo process per region.");
        }
    }

    private static void ValidateAzureStorage(RegionStorageOptions storage, RegionId region)
    {
        AzureTableSettings.Validate(storage, region);
        AzureTableSettings.ValidateTableName(storage.MembershipTableName, MembershipTableNameSetting, region);
        if (string.Equals(storage.MembershipTableName, storage.TableName, StringComparison.OrdinalIgnoreCase)
            || string.Equals(storage.MembershipTableName, storage.GrainStateTableName, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidTopologyException(
                $"region '{region}': {MembershipTableNameSetting} '{storage.MembershipTableName}' must differ from {AzureTableSettings.TableNameSetting} and {AzureTableSettings.GrainStateTableNameSetting}; Orleans' membership rows need their own table.");
        }
    }

    private static GeoTopology ReadTopologyFile(string file)
    {
        var path = Path.GetFullPath(file);
        if (!File.Exists(path))
        {
            throw new InvalidTopologyException($"Silo:TopologyFile (--topology-file) '{path}' does not exist.");
        }

        GeoTopologyOptions? options;
        try
        {
            options = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build().Get<GeoTopologyOptions>();
        }
        catch (Exception exception) when (exception is InvalidDataException or FormatException or InvalidOperationException or IOException)
        {
            throw new InvalidTopologyException($"Silo:TopologyFile (--topology-file) '{path}' is not a topology file: {exception.Message}", exception);
        }

        return GeoTopology.FromOptions(options ?? throw new InvalidTopologyException($"Silo:TopologyFile (--topology-file) '{path}' is empty."));
    }
}
