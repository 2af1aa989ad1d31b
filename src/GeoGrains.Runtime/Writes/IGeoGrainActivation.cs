using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.Writes;

/// <summary>What the write path and the replication receiver need of a geo grain activation.</summary>
internal interface IGeoGrainActivation
{
    GrainId GrainId { get; }

    GeoGrainRegistration Registration { get; }

    /// <summary>Serializes writes (and hand-offs) on this activation.</summary>
    SemaphoreSlim WriteLock { get; }

    /// <summary>The version this activation holds and the ETag of its row, or <see langword="null"/> before the first write.</summary>
    StoredGeoRecord? Stored { get; }

    /// <summary>Reads the stored version again (the activation may have missed one).</summary>
    Task ReloadAsync(CancellationToken cancellationToken = default);

    /// <summary>Takes a version the receiver applied, unless the activation holds a later one.</summary>
    void Accept(StoredGeoRecord stored);

    /// <summary>Waits until the version the activation holds meets <paramref name="condition"/>, at most <paramref name="timeout"/>; returns whether it does.</summary>
    Task<bool> WaitUntilAsync(Func<StoredGeoRecord?, bool> condition, TimeSpan timeout);
}
