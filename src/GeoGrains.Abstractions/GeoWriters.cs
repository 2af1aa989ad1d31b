namespace GeoGrains;

/// <summary>Which regions take a geo grain's writes (see <see cref="GeoGrainAttribute.Writers"/>).</summary>
public enum GeoWriters
{
    /// <summary>Only the region that owns the grain; the others forward writes to it (the default).</summary>
    OwnerRegion,

    /// <summary>
    /// Every region, locally (active-active): no forwarding, no lease, no ownership check. Concurrent versions written in
    /// different regions are told apart by version vectors and resolved by the grain's <see cref="ConflictPolicy"/>.
    /// </summary>
    AnyRegion,
}
