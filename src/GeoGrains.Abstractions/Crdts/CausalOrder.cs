namespace GeoGrains.Crdts;

/// <summary>How two version vectors (two copies' histories) relate.</summary>
public enum CausalOrder
{
    /// <summary>Both have seen exactly the same changes.</summary>
    Equal,

    /// <summary>The first has seen a strict subset of what the second has: it is older.</summary>
    Before,

    /// <summary>The first has seen a strict superset of what the second has: it is newer.</summary>
    After,

    /// <summary>Each has seen a change the other has not: they are concurrent, and only a merge orders them.</summary>
    Concurrent,
}
