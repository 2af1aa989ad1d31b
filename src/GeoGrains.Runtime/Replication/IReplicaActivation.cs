using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.Replication;

/// <summary>A live activation of a geo grain in this silo, as the receiver sees it: something to hand applied versions to.</summary>
internal interface IReplicaActivation
{
    /// <summary>The grain.</summary>
    GrainId GrainId { get; }

    /// <summary>Takes a version the receiver applied, unless the activation holds a later one.</summary>
    void Accept(StoredGeoRecord stored);
}
