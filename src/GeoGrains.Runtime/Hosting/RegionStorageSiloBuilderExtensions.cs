using GeoGrains;
using GeoGrains.Runtime.Hosting;
using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Orleans.Hosting;

/// <summary>Adds the region's in-memory storage account as Orleans grain storage.</summary>
public static class RegionStorageSiloBuilderExtensions
{
    /// <summary>
    /// Adds grain storage named <paramref name="name"/> on the region's <see cref="RegionStorageAccount"/>. The account is
    /// created for the silo's region unless one is registered in the services already (tests register one per region that
    /// outlives the silos).
    /// </summary>
    public static ISiloBuilder AddRegionGrainStorage(this ISiloBuilder builder, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.AddGrainStorage(name, (sp, storageName) => new RegionGrainStorage(
            storageName,
            sp.GetRequiredService<IRegionTable>(),
            sp.GetRequiredService<IGrainStorageSerializer>()));
        return builder;
    }

    /// <summary>Adds the region's storage account as the default grain storage.</summary>
    public static ISiloBuilder AddRegionGrainStorageAsDefault(this ISiloBuilder builder) =>
        builder.AddRegionGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME);
}
