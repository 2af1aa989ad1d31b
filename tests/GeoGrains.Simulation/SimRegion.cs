using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Simulation;

/// <summary>
/// What of a region outlives its processes: its storage account (a <see cref="MemoryRegionTable"/> over it, as the
/// real region's storage account outlives its silos), its clock, and its outbox (what is still to ship to each other
/// region; the real outbox markers are rows of the same table, resumed by <c>OutboxRecoveryGrain</c> after a crash).
/// <see cref="Node"/> is the incarnation running now, or null while the region is crashed.
/// </summary>
internal sealed class SimRegion
{
    public SimRegion(SimWorld world, int index, RegionId id, SimTimeProvider time)
    {
        Index = index;
        Id = id;
        Time = time;
        Account = new RegionStorageAccount(id);
        Table = new MemoryRegionTable(Account, world.StorageMetrics);
        Records = new GeoStore(Table, world.Serializer, SimWorld.Partitions);
    }

    public int Index { get; }

    public RegionId Id { get; }

    public SimTimeProvider Time { get; }

    public RegionStorageAccount Account { get; }

    public MemoryRegionTable Table { get; }

    /// <summary>For the checker only (reads rows, computes keys): the incarnations use their own <see cref="GeoStore"/>.</summary>
    public GeoStore Records { get; }

    /// <summary>Per target region, the newest version of each grain still to ship there (the outbox markers).</summary>
    public Dictionary<RegionId, Dictionary<GrainId, GeoRecord>> Outbox { get; } = [];

    public SimNode? Node { get; set; }

    public int Incarnations { get; set; }

    public bool IsUp => Node is not null;

    public override string ToString() => Id.ToString();
}
