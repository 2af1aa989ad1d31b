using GeoGrains.Configuration;
using GeoGrains.Runtime.Topology;
using GeoGrains;
using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Orleans.Hosting;

/// <summary>Adds the region's own storage as Orleans grain storage, for your ordinary (non-geo) grains.</summary>
public static class RegionStorageSiloBuilderExtensions
{
    /// <summary>
    /// Adds grain storage named <paramref name="name"/> in the region's storage (<c>GeoGrains:Storage</c>): Orleans' Azure
    /// table grain storage on the region's account (table <see cref="RegionStorageOptions.GrainStateTableName"/>) when the
    /// provider is <see cref="RegionStorageProvider.AzureTable"/>, else the region's in-memory
    /// <see cref="RegionStorageAccount"/>. The account is created for the silo's region unless one is registered in the
    /// services already (tests register one per region that outlives the silos).
    /// </summary>
    public static ISiloBuilder AddRegionGrainStorage(this ISiloBuilder builder, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        // The provider is known only once options are resolved (they may come from configuration), so both the Azure
        // options and the choice of storage are made then.
        builder.Services.AddOptions<AzureTableStorageOptions>(name)
            .Configure<IOptions<RegionStorageOptions>, LocalRegion, IGrainStorageSerializer>((azure, options, region, serializer) =>
            {
                var storage = options.Value;
                if (storage.Provider != RegionStorageProvider.AzureTable)
                {
                    return;
                }

                azure.TableName = storage.GrainStateTableName;
                azure.GrainStorageSerializer ??= serializer;
                azure.TableServiceClient = AzureTableSettings.CreateServiceClient(storage, region.Id);
            });
        builder.Services.AddGrainStorage(name, CreateStorage);

        // AddGrainStorage enlists a storage in the silo lifecycle only when its declared type is a participant; Orleans'
        // Azure storage is one (it creates its table at startup), the in-memory one is not.
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new GrainStorageLifecycle(sp.GetRequiredKeyedService<IGrainStorage>(name)));
        return builder;
    }

    /// <summary>Adds the region's storage as the default grain storage.</summary>
    public static ISiloBuilder AddRegionGrainStorageAsDefault(this ISiloBuilder builder) =>
        builder.AddRegionGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME);

    private static IGrainStorage CreateStorage(IServiceProvider services, string name) =>
        services.GetRequiredService<IOptions<RegionStorageOptions>>().Value.Provider == RegionStorageProvider.AzureTable
            ? AzureTableGrainStorageFactory.Create(services, name)
            : new RegionGrainStorage(name, services.GetRequiredService<IRegionTable>(), services.GetRequiredService<IGrainStorageSerializer>());
}
