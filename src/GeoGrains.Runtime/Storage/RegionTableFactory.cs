using GeoGrains.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GeoGrains.Runtime.Storage;

/// <summary>Creates the region's <see cref="IRegionTable"/> for the configured <see cref="RegionStorageProvider"/>.</summary>
internal static class RegionTableFactory
{
    public static IRegionTable Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<GeoGrainsOptions>>().Value.Storage;
        var region = services.GetRequiredService<LocalRegion>().Id;
        var metrics = services.GetRequiredService<RegionStorageMetrics>();
        return options.Provider switch
        {
            RegionStorageProvider.Memory => new MemoryRegionTable(services.GetRequiredService<RegionStorageAccount>(), metrics),
            _ => throw new InvalidTopologyException($"region '{region}': storage provider {options.Provider} is not supported (GeoGrains:Storage:Provider)."),
        };
    }
}
