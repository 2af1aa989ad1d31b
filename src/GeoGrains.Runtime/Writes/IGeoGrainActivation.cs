using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.Writes;

/// <summary>What the write path and the replication receiver need of a geo grain activation.</summary>
internal interface IGeoGrainActivation : IReplicaActivation
{

    GeoGrainRegistration Registration { get; }

    /// <summary>One turn at a time: writes, strong reads, hand-offs, reconciliations and resolutions; entered by the write turn only.</summary>
    GrainWriteLock WriteLock { get; }

    /// <summary>The version this activation holds and the ETag of its row, or <see langword="null"/> before the first write.</summary>
    StoredGeoRecord? Stored { get; }

    /// <summary>Reads the stored version again (the activation may have missed one).</summary>
    Task ReloadAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits until the version the activation holds meets <paramref name="condition"/>, at most <paramref name="timeout"/>; returns whether it does.</summary>
    Task<bool> WaitUntilAsync(Func<StoredGeoRecord?, bool> condition, TimeSpan timeout);
}

/// <summary>An activation of a geo grain with state <typeparamref name="TState"/>: what a commit needs besides the above.</summary>
internal interface IGeoGrainActivation<TState> : IGeoGrainActivation, IGeoGrainOf<TState>
    where TState : class
{
    /// <summary>The state of the version the activation holds (the initial state before the first).</summary>
    TState CurrentState { get; }

    /// <summary>Takes a version this activation stored, with its state when known, unless it holds a later one.</summary>
    void Accept(StoredGeoRecord stored, TState? state);
}
