using GeoGrains.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Storage;

/// <summary>
/// Before the silo takes any call: checks that the region's storage answers and that it is this region's own. The first
/// region to use a table claims it (one row naming the region); a silo of another region pointed at the same table is
/// refused, since the two regions' data would mix. Either failure stops the silo with <see cref="InvalidTopologyException"/>
/// naming the region and the setting to fix.
/// </summary>
internal sealed class RegionStorageStartup(IRegionTable table, IOptions<RegionStorageOptions> options, ILogger<RegionStorageStartup> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private const string ClaimPartition = "meta";
    private const string ClaimRow = "region";

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RegionStorageStartup), ServiceLifecycleStage.RuntimeInitialize, StartAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        string owner;
        try
        {
            owner = await ClaimAsync(cancellationToken);
        }
        catch (RegionStorageException exception)
        {
            throw new InvalidTopologyException(
                $"region '{table.Region}' cannot use its storage; check {Setting()}. {exception.Message}", exception);
        }

        if (!string.Equals(owner, table.Region.Value, StringComparison.Ordinal))
        {
            throw new InvalidTopologyException(
                $"region '{table.Region}' is configured with the storage of region '{owner}' ({table.Description}); every region needs its own storage account or table ({Setting()} or GeoGrains:Storage:TableName).");
        }
    }

    /// <summary>Claims the table for this region unless a region claimed it already; returns the region that holds it.</summary>
    private async Task<string> ClaimAsync(CancellationToken cancellationToken)
    {
        await table.InitializeAsync(cancellationToken);
        var claim = System.Text.Encoding.UTF8.GetBytes(table.Region.Value);
        var stored = await table.ReadAsync(ClaimPartition, ClaimRow, cancellationToken);
        if (stored is null)
        {
            try
            {
                await table.WriteAsync([TableWrite.Insert(ClaimPartition, ClaimRow, claim)], cancellationToken);
                logger.LogInformation("Region {Region} claimed its storage ({Storage}).", table.Region, table.Description);
                return table.Region.Value;
            }
            catch (TableConditionFailedException)
            {
                // Another silo claimed it at the same moment: check whose region it was.
                stored = await table.ReadAsync(ClaimPartition, ClaimRow, cancellationToken);
            }
        }

        return stored is null ? table.Region.Value : System.Text.Encoding.UTF8.GetString(stored.Data);
    }

    private string Setting()
    {
        var storage = options.Value;
        return storage.Provider == RegionStorageProvider.AzureTable ? AzureTableSettings.LocationSetting(storage) : "GeoGrains:Storage";
    }
}
