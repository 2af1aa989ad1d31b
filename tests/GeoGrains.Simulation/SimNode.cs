using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Replication;

namespace GeoGrains.Simulation;

/// <summary>
/// One incarnation of a region: what a restart loses (memory) and builds again over the region's storage. Built of the
/// real classes (<see cref="GeoStore"/>, <see cref="ReplicaVersions"/>, <see cref="ReplicationAcknowledgements"/>,
/// <see cref="HybridLogicalClock"/>, and through <see cref="SimHealth"/> the lease, acceptor and proposer) and the glue
/// that mirrors the grains and services wiring them (<see cref="SimHealth"/>, <see cref="SimWriter"/>,
/// <see cref="SimPromotion"/>, <see cref="SimReceiver"/>, <see cref="SimShipper"/>, and for rehomes
/// <see cref="SimDirectory"/> over the real <see cref="Runtime.Ownership.OwnershipDirectory"/>, <see cref="SimOwnershipCache"/>,
/// <see cref="SimHandOff"/> and <see cref="SimAdmin"/>).
/// </summary>
internal sealed class SimNode
{
    public SimNode(SimWorld world, SimRegion region)
    {
        World = world;
        Region = region;
        region.Incarnations++;
        Context = new SimRegionContext(world.Sim, $"{region.Id}#{region.Incarnations}");
        Clock = new HybridLogicalClock(region.Time, world.Options.MaxClockOffset);
        Store = new GeoStore(region.Table, world.Serializer, SimWorld.Partitions);
        Targets = [.. world.Regions.Where(r => r != region).Select(r => r.Id)];
        Acknowledgements = new ReplicationAcknowledgements(Targets, region.Time);
        Health = new SimHealth(world, this);
        Directory = new SimDirectory(world, this);
        Ownership = new SimOwnershipCache(this);
        HandOff = new SimHandOff(world, this);
        Admin = new SimAdmin(world, this);
        Receiver = new SimReceiver(this);
        Promotion = new SimPromotion(world, this);
        Writer = new SimWriter(world, this);
        Shippers = Targets.ToDictionary(t => t, t => new SimShipper(world, this, t));
    }

    public SimWorld World { get; }

    public SimRegion Region { get; }

    public SimRegionContext Context { get; }

    public HybridLogicalClock Clock { get; }

    public GeoStore Store { get; }

    public ReplicaVersions Known { get; } = new();

    public IReadOnlyList<RegionId> Targets { get; }

    public ReplicationAcknowledgements Acknowledgements { get; }

    public SimHealth Health { get; }

    public SimDirectory Directory { get; }

    public SimOwnershipCache Ownership { get; }

    public SimHandOff HandOff { get; }

    public SimAdmin Admin { get; }

    public SimReceiver Receiver { get; }

    public SimPromotion Promotion { get; }

    public SimWriter Writer { get; }

    public Dictionary<RegionId, SimShipper> Shippers { get; }

    /// <summary>Loads the acceptor and the directory, starts probing and anti-entropy, and resumes shipping the outbox: what a silo's start does.</summary>
    public void Start() => Context.Run(() =>
    {
        Health.Start();
        Directory.Start();
        foreach (var shipper in Shippers.Values)
        {
            shipper.Start();
        }
    });
}
