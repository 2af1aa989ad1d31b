namespace GeoGrains.Runtime.Ownership;

/// <summary>Another region's directory, as anti-entropy reads it.</summary>
internal interface IDirectoryPeer
{
    /// <inheritdoc cref="IOwnershipDirectoryGrain.GetChanges"/>
    Task<DirectoryChanges> GetChanges(DirectoryCursor since);

    /// <inheritdoc cref="IOwnershipDirectoryGrain.GetOverrides"/>
    Task<DirectoryPage> GetOverrides(string? after, int max);
}
