namespace GeoGrains.DevCluster;

/// <summary>Where the dev cluster's regions keep their data.</summary>
internal enum DevClusterStorage
{
    /// <summary>Each region's in-memory account, in the dev cluster's process.</summary>
    Memory,

    /// <summary>Each region's own Azurite, started by the dev cluster.</summary>
    Azure,
}
