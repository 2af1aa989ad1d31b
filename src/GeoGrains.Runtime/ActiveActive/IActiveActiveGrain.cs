using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// What the replication receiver asks of an active-active grain's activation in its region: resolve a version
/// concurrent with the stored one, under the grain's write lock (so it is ordered with the region's local writes) and
/// with the grain's own merge. Implemented by every <c>GeoGrain&lt;TState&gt;</c>; not routed by GeoGrains' call router.
/// </summary>
internal interface IActiveActiveGrain : IGrainWithStringKey
{
    /// <summary>
    /// Takes <paramref name="incoming"/> into the stored version: ignored, replacing it, or resolved with it. With a
    /// <paramref name="deltaBase"/>, its state is a delta taken against the version of that vector; returns
    /// <see langword="false"/> (nothing done) when the stored version has not seen that one.
    /// </summary>
    Task<bool> Resolve(GeoRecord incoming, GeoGrains.Crdts.VersionVector? deltaBase);
}
