namespace GeoGrains.Runtime.Storage;

/// <summary>
/// One version of a geo grain's state as stored in a region: by the owner when it commits, by replicas when they apply
/// a replicated change. Versions are ordered by (<see cref="Epoch"/>, <see cref="Version"/>). <see cref="BaseEpoch"/>
/// and <see cref="BaseVersion"/> name the version this epoch's lineage continued from (set by the first commit under an
/// epoch, carried by the later ones; 0 for records written before lineage was kept), so that a version of an older
/// epoch can be told apart from the history the owner continued (<see cref="Lineage"/>). <see cref="Applied"/> is the
/// dedup section: the keyed writes applied within the window (<see cref="IdempotencyLog"/>; absent in records written
/// before it existed, and while no keyed write is remembered). <see cref="Revision"/> counts rewrites of the same
/// version that only add a keyed write's result to it; it orders them after the version, so they replicate like one.
/// An active-active grain's records carry a <see cref="Vector"/> (one counter per region; <see cref="Version"/> is its
/// total and <see cref="Epoch"/> 0): see <see cref="ActiveActive.ActiveActiveVersions"/>.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record GeoRecord(
    [property: Id(0)] long Version,
    [property: Id(1)] long Epoch,
    [property: Id(2)] HybridTimestamp CommittedAt,
    [property: Id(3)] RegionId CommittedIn,
    [property: Id(4)] byte[] State,
    [property: Id(5)] long BaseEpoch = 0,
    [property: Id(6)] long BaseVersion = 0,
    [property: Id(7)] IdempotencyEntry[]? Applied = null,
    [property: Id(8)] int Revision = 0,
    [property: Id(9)] GeoGrains.Crdts.VersionVector? Vector = null)
{
    /// <summary>This version as reconciliation records show it.</summary>
    public GeoGrainVersion ToVersion() => new(Epoch, Version, CommittedIn, CommittedAt, System.Text.Encoding.UTF8.GetString(State));

    /// <summary>A version shown by <see cref="ToVersion"/>, without lineage (it is not stored from this).</summary>
    public static GeoRecord Of(GeoGrainVersion version) =>
        new(version.Version, version.Epoch, version.CommittedAt, version.CommittedIn, System.Text.Encoding.UTF8.GetBytes(version.StateJson));

    /// <summary>Whether this is a later version than <paramref name="other"/>, or the same version with more of its results recorded.</summary>
    public bool IsNewerThan(GeoRecord? other) =>
        other is null || IsAfter(Epoch, Version, other.Epoch, other.Version) || (Epoch == other.Epoch && Version == other.Version && Revision > other.Revision);

    /// <summary>The order of versions across owners: a higher epoch wins, then a higher version.</summary>
    public static bool IsAfter(long epoch, long version, long otherEpoch, long otherVersion) =>
        epoch > otherEpoch || (epoch == otherEpoch && version > otherVersion);
}

/// <summary>
/// A committed version of one grain, on its way to other regions. With a <see cref="DeltaBase"/>, the record's state is
/// a delta (<see cref="ActiveActive.StateDelta"/>) taken against the version of that vector, which the receiving region
/// acknowledged: it joins into any stored version that has seen that one.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record ReplicatedChange(
    [property: Id(0)] GrainId Grain,
    [property: Id(1)] GeoRecord Record,
    [property: Id(2)] GeoGrains.Crdts.VersionVector? DeltaBase = null);
