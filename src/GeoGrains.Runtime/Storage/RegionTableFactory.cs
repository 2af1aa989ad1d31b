using GeoGrains.Configuration;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GeoGrains.Runtime.Storage;

/// <summary>Creates the region's <see cref="IRegionTable"/> for the configured <see cref="RegionStorageProvider"/>.</summary>
internal static class RegionTableFactory
{
    /// <exception cref="InvalidTopologyException">The storage configuration cannot work; the message names the region and the setting.</exception>
    public static IRegionTable Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RegionStorageOptions>>().Value;
        var region = services.GetRequiredService<LocalRegion>().Id;
        var metrics = services.GetRequiredService<RegionStorageMetrics>();
        switch (options.Provider)
        {
            case RegionStorageProvider.Memory:
                return new MemoryRegionTable(services.GetRequiredService<RegionStorageAccount>(), metrics);
            case RegionStorageProvider.AzureTable:
                AzureTableSettings.Validate(options, region);
                return new AzureRegionTable(region, AzureTableSettings.CreateServiceClient(options, region), options.TableName, metrics);
            default:
                throw new InvalidTopologyException($"region '{region}': storage provider {options.Provider} is not supported (GeoGrains:Storage:Provider).");
        }
    }
}
