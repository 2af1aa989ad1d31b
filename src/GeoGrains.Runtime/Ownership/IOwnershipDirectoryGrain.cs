namespace GeoGrains.Runtime.Ownership;

/// <summary>This region's copy of the ownership directory. One per region cluster: use key 0.</summary>
internal interface IOwnershipDirectoryGrain : IGrainWithIntegerKey
{
    [Orleans.Concurrency.ReadOnly]
    Task<OwnershipTable> GetTable();

    /// <summary>Merges <paramref name="changes"/> (higher epochs win), stores the result durably and returns it.</summary>
    Task<OwnershipTable> Merge(OwnershipTable changes);
}
