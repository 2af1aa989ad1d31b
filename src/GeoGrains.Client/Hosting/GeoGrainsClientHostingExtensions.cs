using GeoGrains;
using GeoGrains.Client;
using GeoGrains.Client.Regions;
using GeoGrains.Client.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Adds the GeoGrains region-aware client to a .NET host: the app takes <see cref="IClusterClient"/> /
/// <see cref="IGrainFactory"/> from DI as with a plain Orleans client, and its calls go to the nearest healthy region,
/// fail over between regions and carry a session (<see cref="IGeoClient"/>). Do not also call <c>UseOrleansClient</c>.
/// </summary>
public static class GeoGrainsClientHostingExtensions
{
    /// <summary>
    /// Adds the region-aware client, configured from the section <c>GeoGrains:Client</c> of the app's configuration and
    /// then by <paramref name="configure"/>.
    /// </summary>
    /// <exception cref="InvalidGeoClientOptionsException">The settings are invalid (no regions, a duplicate or unknown region, a malformed endpoint...).</exception>
    public static IHostApplicationBuilder UseGeoGrainsClient(this IHostApplicationBuilder builder, Action<GeoGrainsClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddServices(builder.Services, Settings(builder.Configuration.GetSection(GeoGrainsClientOptions.SectionName), configure));
        return builder;
    }

    /// <summary>Adds the region-aware client, configured from <paramref name="configuration"/> (a section shaped like <see cref="GeoGrainsClientOptions"/>).</summary>
    /// <exception cref="InvalidGeoClientOptionsException">The settings are invalid.</exception>
    public static IHostApplicationBuilder UseGeoGrainsClient(this IHostApplicationBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        AddServices(builder.Services, Settings(configuration, null));
        return builder;
    }

    /// <summary>
    /// Adds the region-aware client, configured from the section <c>GeoGrains:Client</c> of the host's configuration and
    /// then by <paramref name="configure"/>; invalid settings fail <c>Build()</c>.
    /// </summary>
    /// <exception cref="InvalidGeoClientOptionsException">From <c>Build()</c>: the settings are invalid.</exception>
    public static IHostBuilder UseGeoGrainsClient(this IHostBuilder builder, Action<GeoGrainsClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices((context, services) =>
            AddServices(services, Settings(context.Configuration.GetSection(GeoGrainsClientOptions.SectionName), configure)));
    }

    /// <summary>Adds the region-aware client, configured from <paramref name="configuration"/>; invalid settings fail <c>Build()</c>.</summary>
    /// <exception cref="InvalidGeoClientOptionsException">From <c>Build()</c>: the settings are invalid.</exception>
    public static IHostBuilder UseGeoGrainsClient(this IHostBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.ConfigureServices((_, services) => AddServices(services, Settings(configuration, null)));
    }

    private static GeoClientSettings Settings(IConfiguration section, Action<GeoGrainsClientOptions>? configure)
    {
        var options = new GeoGrainsClientOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            throw new InvalidGeoClientOptionsException($"{GeoGrainsClientOptions.SectionName} could not be read: {exception.Message}");
        }

        configure?.Invoke(options);
        return GeoClientSettings.Validate(options);
    }

    private static void AddServices(IServiceCollection services, GeoClientSettings settings)
    {
        if (services.Any(s => s.ServiceType == typeof(GeoClient)))
        {
            throw new InvalidOperationException("UseGeoGrainsClient was called twice on the same host.");
        }

        services.AddSingleton(settings);
        services.AddSingleton<GeoClient>();
        services.AddSingleton<IGeoClient>(sp => sp.GetRequiredService<GeoClient>());
        services.AddHostedService(sp => sp.GetRequiredService<GeoClient>());
        services.AddSingleton<RegionAwareClusterClient>();
        services.Replace(ServiceDescriptor.Singleton<IClusterClient>(sp => sp.GetRequiredService<RegionAwareClusterClient>()));
        services.Replace(ServiceDescriptor.Singleton<IGrainFactory>(sp => sp.GetRequiredService<RegionAwareClusterClient>()));
    }
}
