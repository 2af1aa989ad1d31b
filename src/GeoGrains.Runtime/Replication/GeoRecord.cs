namespace GeoGrains.Runtime.Replication;

/// <summary>
/// One version of a geo grain's state as stored in a region: by the owner when it commits, by replicas when they apply
/// a replicated change. Versions are ordered by (<see cref="Epoch"/>, <see cref="Version"/>).
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record GeoRecord(
    [property: Id(0)] long Version,
    [property: Id(1)] long Epoch,
    [property: Id(2)] HybridTimestamp CommittedAt,
    [property: Id(3)] RegionId CommittedIn,
    [property: Id(4)] byte[] State)
{
    public bool IsNewerThan(GeoRecord? other) => other is null || IsAfter(Epoch, Version, other.Epoch, other.Version);

    /// <summary>The order of versions across owners: a higher epoch wins, then a higher version.</summary>
    public static bool IsAfter(long epoch, long version, long otherEpoch, long otherVersion) =>
        epoch > otherEpoch || (epoch == otherEpoch && version > otherVersion);
}

/// <summary>A committed version of one grain, on its way to other regions.</summary>
[GenerateSerializer, Immutable]
internal sealed record ReplicatedChange([property: Id(0)] GrainId Grain, [property: Id(1)] GeoRecord Record);
