using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Simulation;

/// <summary>
/// One incarnation of a region: what a restart loses (memory) and builds again over the region's storage. Built of the
/// real classes (<see cref="GeoStore"/>, <see cref="ReplicaVersions"/>, <see cref="ReplicationAcknowledgements"/>,
/// <see cref="HybridLogicalClock"/>, and through <see cref="SimHealth"/> the lease, acceptor and proposer) and the glue
/// that mirrors the grains and services wiring them (<see cref="SimHealth"/>, <see cref="SimWriter"/>,
/// <see cref="SimPromotion"/>, <see cref="SimReceiver"/>, <see cref="SimShipper"/>, and for rehomes
/// <see cref="SimDirectory"/> over the real <see cref="Runtime.Ownership.OwnershipDirectory"/>, and per silo
/// <see cref="SimOwnershipCache"/> and <see cref="SimHandOff"/>, and <see cref="SimAdmin"/>).
/// <para>
/// The region runs <see cref="SimulationOptions.Silos"/> silos (<see cref="Silos"/>), each crashed and restarted on its
/// own with empty memory; its observer (<see cref="Observer"/>) runs on one of them and moves to another live silo when
/// that one dies. The receiver, the shippers, the outbox and the directory are the region's (<see cref="Context"/>): as
/// if a dead silo's outbox were resumed by another at once (the real outbox is rows of the table, resumed by
/// <c>OutboxRecoveryGrain</c>), and the directory grain re-activated at once from its rows.
/// </para>
/// </summary>
internal sealed class SimNode
{
    // Where each grain is activated: calls go there while that silo lives.
    private readonly Dictionary<int, SimSilo> _placed = [];

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
        Silos = [.. Enumerable.Range(0, Math.Max(1, world.Options.Silos)).Select(i => new SimSilo(world, this, i, 1))];
        Health = Observer = new SimHealth(world, this, Silos[0]);
        Directory = new SimDirectory(world, this);
        Admin = new SimAdmin(world, this);
        Receiver = new SimReceiver(this);
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

    /// <summary>The region's newest observer activation (its acceptor's learned configuration is the region's), live or not.</summary>
    public SimHealth Health { get; private set; }

    /// <summary>The observer activation that answers calls now; null while it is moving to another silo.</summary>
    public SimHealth? Observer { get; private set; }

    /// <summary>Each silo's incarnation now (a crashed silo's is dead until it restarts).</summary>
    public SimSilo[] Silos { get; }

    public SimDirectory Directory { get; }

    public SimAdmin Admin { get; }

    public SimReceiver Receiver { get; }

    public Dictionary<RegionId, SimShipper> Shippers { get; }

    /// <summary>Loads the acceptor and the directory, starts probing and anti-entropy, and resumes shipping the outbox: what a silo's start does.</summary>
    public void Start()
    {
        Context.Run(() =>
        {
            Directory.Start();
            foreach (var shipper in Shippers.Values)
            {
                shipper.Start();
            }
        });
        Health.Context.Run(Health.Start);
        foreach (var silo in Silos)
        {
            silo.Start();
        }
    }

    /// <summary>
    /// The silo a grain's calls go to: where it is activated, or, when that silo died, a live one drawn from the seed
    /// (Orleans activates it again on a silo of the cluster). Null when no silo is up.
    /// </summary>
    public SimSilo? SiloFor(SimGrain grain)
    {
        if (_placed.TryGetValue(grain.Index, out var placed) && placed.IsUp)
        {
            return placed;
        }

        var up = Silos.Where(s => s.IsUp).ToList();
        if (up.Count == 0)
        {
            return null;
        }

        _placed[grain.Index] = placed = up[World.Sim.Random.Next(up.Count)];
        return placed;
    }

    /// <summary>
    /// Silo <paramref name="index"/> dies: its memory (lease copy, configuration, activations and their write locks, an
    /// observer it ran with its lease grants) is gone; the region's table stays. An observer it ran is activated again on
    /// a live silo after a delay drawn from the seed (Orleans notices the silo is dead, then a call activates the grain).
    /// </summary>
    public void CrashSilo(int index)
    {
        var silo = Silos[index];
        if (!silo.IsUp)
        {
            return;
        }

        silo.Kill();
        if (Observer is { } observer && observer.Host == silo)
        {
            Observer = null;
            MoveObserver();
        }
    }

    /// <summary>Silo <paramref name="index"/> starts again with empty memory.</summary>
    public void RestartSilo(int index)
    {
        if (Silos[index].IsUp)
        {
            return;
        }

        var silo = Silos[index] = new SimSilo(World, this, index, Silos[index].Incarnation + 1);
        silo.Start();
    }

    private void MoveObserver()
    {
        var sim = World.Sim;
        sim.After(sim.Between(World.Options.ObserverMoveMin, World.Options.ObserverMoveMax), () =>
        {
            if (Context.Dead || Observer is not null)
            {
                return;
            }

            var up = Silos.Where(s => s.IsUp).ToList();
            if (up.Count == 0)
            {
                MoveObserver(); // every silo is down: the next one to start activates it
                return;
            }

            var host = up[sim.Random.Next(up.Count)];
            Health = Observer = new SimHealth(World, this, host);
            host.Context.Run(Health.Start);
        });
    }

}
