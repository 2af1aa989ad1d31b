namespace GeoGrains;

/// <summary>
/// A region's storage could not do what was asked: it is unreachable, refused the request, or the data does not fit.
/// Nothing was written by the failed operation; a write that got this exception was not acknowledged.
/// </summary>
[GenerateSerializer]
public sealed class RegionStorageException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="region">The region whose storage failed.</param>
    /// <param name="storage">What the storage is, e.g. <c>Azure Table 'geograins' at http://127.0.0.1:10002/devstoreaccount1</c>.</param>
    /// <param name="reason">What went wrong.</param>
    /// <param name="innerException">The storage client's error, if any.</param>
    public RegionStorageException(RegionId region, string storage, string reason, Exception? innerException = null)
        : base($"Region '{region}' storage ({storage}) failed: {reason}", innerException)
    {
        Region = region;
        Storage = storage;
    }

    /// <summary>The region whose storage failed.</summary>
    [Id(0)]
    public RegionId Region { get; }

    /// <summary>What the storage is (kind and address, never a secret).</summary>
    [Id(1)]
    public string Storage { get; }
}
