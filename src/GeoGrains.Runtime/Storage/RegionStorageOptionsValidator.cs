using GeoGrains.Configuration;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Storage;

/// <summary>
/// Refuses a storage configuration that cannot work before the silo starts anything: an Azure provider without an
/// account, a malformed connection string, an invalid table name. Whether the account answers is checked by
/// <see cref="RegionStorageStartup"/>.
/// </summary>
internal sealed class RegionStorageOptionsValidator(IOptions<RegionStorageOptions> options, LocalRegion region) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        var storage = options.Value;
        if (storage.Partitions < 1)
        {
            throw new InvalidTopologyException($"region '{region.Id}': GeoGrains:Storage:Partitions must be at least 1, not {storage.Partitions}.");
        }

        if (storage.Provider == RegionStorageProvider.AzureTable)
        {
            AzureTableSettings.Validate(storage, region.Id);
        }
        else if (storage.Provider != RegionStorageProvider.Memory)
        {
            throw new InvalidTopologyException($"region '{region.Id}': storage provider {storage.Provider} is not supported (GeoGrains:Storage:Provider).");
        }
    }
}
