using Azure.Core;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Configuration;

/// <summary>Which backend holds a region's data.</summary>
public enum RegionStorageProvider
{
    /// <summary>The region's in-memory <see cref="RegionStorageAccount"/>: the embedded default; lost when the process ends.</summary>
    Memory,

    /// <summary>
    /// The region's own Azure Storage account (Azure Table storage; Azurite locally), set by
    /// <see cref="RegionStorageOptions.ConnectionString"/> or <see cref="RegionStorageOptions.ServiceUri"/>. A row (a geo
    /// grain's record) holds at most 704 KiB. While the account is down, operations fail within seconds with
    /// <see cref="RegionStorageException"/>.
    /// </summary>
    AzureTable,
}

/// <summary>
/// Where a region keeps everything GeoGrains stores (geo grain records, the outbox, the ownership directory) and, with
/// <c>AddRegionGrainStorage</c>, your ordinary grains' state. Bound from <c>GeoGrains:Storage</c>. Every region has its
/// own account: two regions on one account (same endpoint and table) are refused at startup, and so is a configuration
/// that cannot work (no or a malformed connection string, an invalid table name, an account that does not answer), with
/// <see cref="InvalidTopologyException"/> naming the region and the setting.
/// </summary>
public sealed class RegionStorageOptions
{
    /// <summary>The backend. Default <see cref="RegionStorageProvider.Memory"/>.</summary>
    public RegionStorageProvider Provider { get; set; } = RegionStorageProvider.Memory;

    /// <summary>
    /// The Azure Storage connection string of the region's account (<c>GeoGrains:Storage:ConnectionString</c>), e.g.
    /// Azurite's <c>UseDevelopmentStorage=true</c>. Either this or <see cref="ServiceUri"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The Table service endpoint of the region's account, used with <see cref="Credential"/> (managed identity and the like).</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The credential for <see cref="ServiceUri"/>; set it in code. Required with <see cref="ServiceUri"/>.</summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>The table GeoGrains keeps its rows in. Default <c>geograins</c>. Azure table names: 3-63 letters or digits, starting with a letter.</summary>
    public string TableName { get; set; } = "geograins";

    /// <summary>The table Orleans' Azure grain storage uses for <c>AddRegionGrainStorage</c>. Default <c>geograinsstate</c>.</summary>
    public string GrainStateTableName { get; set; } = "geograinsstate";

    /// <summary>The table Orleans' Azure membership uses when the region's silos cluster on this account. Default <c>geograinsmembership</c>.</summary>
    public string MembershipTableName { get; set; } = "geograinsmembership";

    /// <summary>
    /// Record partitions. A grain's record and its outbox entry share one, so a commit is one atomic write; recovery reads
    /// each partition's pending entries with one range query. Default 16; every silo of a region must use the same number.
    /// </summary>
    public int Partitions { get; set; } = 16;
}
