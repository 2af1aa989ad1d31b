namespace GeoGrains.Runtime.Ownership;

/// <summary>What the call router needs of a geo grain activation.</summary>
internal interface IGeoGrainActivation
{
    GeoGrainRegistration Registration { get; }

    void RefreshFromStore();

    /// <summary>Serializes writes (and hand-offs) on this activation.</summary>
    Task AcquireWriteLockAsync();

    void ReleaseWriteLock();

    void BeginWrite(GrainOwnership ownership);

    void EndWrite();
}
