using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace GeoGrains.Simulation;

/// <summary>
/// One simulated run: the regions, the network, the clients, the nemesis, the history and the invariants, all driven by
/// one <see cref="Simulator"/> from one seed.
/// </summary>
internal sealed class SimWorld
{
    /// <summary>Record partitions of each region's table (GeoStore): one, so that a batch is one atomic write.</summary>
    public const int Partitions = 1;

    /// <summary>Home partitions per region (GeoGrainsOptions.PartitionsPerRegion): one bucket, so a takeover moves a region's grains to one successor.</summary>
    public const int PartitionsPerRegion = 1;

    private const int FinalAttempts = 10;

    private static readonly string[] Names = ["us-east", "eu-west", "apac-east", "sa-east", "af-south", "me-central", "ca-central"];
    private static readonly Serializer SharedSerializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private static readonly RegionStorageMetrics SharedMetrics = new();

    private readonly Dictionary<RegionId, SimRegion> _byId;
    private readonly List<SimClient> _clients;
    private readonly Nemesis _nemesis;

    public SimWorld(int seed, SimulationOptions options)
    {
        if (options.Regions < 3 || options.Regions > Names.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"3 to {Names.Length} regions, not {options.Regions}: leases need a majority that survives one region.");
        }

        Sim = new Simulator(seed);
        Options = options;
        Network = new SimNetwork(this);
        Invariants = new Invariants(this);

        // Clock rates within ±offset / (2 × period): two clocks then drift apart by at most MaxClockOffset over a lease period.
        var drift = options.MaxClockOffset.Ticks / (2.0 * options.LeasePeriod.Ticks);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Regions = [.. Enumerable.Range(0, options.Regions).Select(i =>
        {
            var rate = 1 + (Sim.Random.NextDouble() * 2 - 1) * drift;
            var wall = start + TimeSpan.FromTicks((long)((Sim.Random.NextDouble() - 0.5) * options.MaxClockOffset.Ticks));
            return new SimRegion(this, i, Names[i], new SimTimeProvider(Sim, rate, wall));
        })];
        RegionIds = [.. Regions.Select(r => r.Id)];
        _byId = Regions.ToDictionary(r => r.Id);
        Grains = [.. Enumerable.Range(0, options.Grains).Select(g =>
        {
            var home = RegionIds[g % RegionIds.Count];
            var key = $"{home}/g{g}";
            return new SimGrain(g, GrainId.Create("geo", key), home, HomePartition.Of(home, key, PartitionsPerRegion));
        })];
        _clients = [.. Enumerable.Range(0, options.Clients).Select(p => new SimClient(this, p))];
        _nemesis = new Nemesis(this);
    }

    public Simulator Sim { get; }

    public SimulationOptions Options { get; }

    public SimNetwork Network { get; }

    public Invariants Invariants { get; }

    public History History { get; } = new();

    public Serializer Serializer => SharedSerializer;

    public RegionStorageMetrics StorageMetrics => SharedMetrics;

    public IReadOnlyList<SimRegion> Regions { get; }

    public IReadOnlyList<RegionId> RegionIds { get; }

    public IReadOnlyList<SimGrain> Grains { get; }

    public bool ClientsStopped { get; private set; }

    /// <summary>FailoverState.LeaseWait: a probe round.</summary>
    public TimeSpan LeaseWait => Options.ProbeInterval + Options.ProbeTimeout;

    public SimRegion this[RegionId id] => _byId[id];

    public void Crash(SimRegion region)
    {
        if (region.Node is { } node)
        {
            node.Context.Kill();
            foreach (var silo in node.Silos)
            {
                silo.Kill();
            }

            region.Node = null;
        }
    }

    public void Restart(SimRegion region)
    {
        if (region.Node is null)
        {
            var node = new SimNode(this, region);
            region.Node = node;
            node.Start();
        }
    }

    // Waits (in simulated time) for the regions to converge: a lost batch is noticed only after the call timeout and a backoff.
    private void Converge(string when)
    {
        var until = Sim.Now + TimeSpan.FromSeconds(30).Ticks;
        while (!Invariants.Converged() && Sim.Now < until)
        {
            Sim.RunUntil(Sim.Now + TimeSpan.FromMilliseconds(500).Ticks);
        }

        Invariants.CheckConverged(when);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public void Violation(string violation) => throw new SimulationViolationException(Sim.Seed, Sim.Steps, Sim.Elapsed, violation, Sim.Tail);

    /// <summary>The nemesis for <paramref name="steps"/> faults while clients write; then heal, converge, and write once more.</summary>
    public SimulationResult Run(int steps)
    {
        Sim.AfterEvent = Invariants.Check;
        foreach (var region in Regions)
        {
            Restart(region);
        }

        foreach (var client in _clients)
        {
            client.Start(Options.ClientsStartAt + Sim.Between(TimeSpan.Zero, TimeSpan.FromMilliseconds(500)));
        }

        var at = Options.NemesisStartsAt;
        for (var step = 0; step < steps; step++)
        {
            at += Sim.Between(Options.NemesisMinPause, Options.NemesisMaxPause);
            Sim.At(at.Ticks, _nemesis.Step);
        }

        at += Sim.Between(TimeSpan.FromSeconds(1), Options.NemesisMaxPause);
        Sim.At(at.Ticks, () =>
        {
            ClientsStopped = true;
            _nemesis.HealEverything();
        });
        Sim.RunUntil((at + Options.Quiet).Ticks);
        Converge("after the final heal and a quiet period");

        // (4) A new write succeeds, at the grain's owner by the newest configuration. A lost message can still make one
        // attempt time out (the shipper notices only after its call timeout): a client tries up to ten times (three
        // were too few once a planned move's promotion fences too: two calls per survivor, four messages each lost
        // with LossRate, and every attempt lost one in seeds 5003 and 7053, and five in seed 1488, the traces showing
        // nothing but lost messages). A grain that cannot be written at all still fails every attempt. A failback may
        // move grains meanwhile: each attempt goes to the owner by the newest configuration then.
        RegionConfiguration Newest() => Regions.Select(r => r.Node!.Health.Learned).MaxBy(c => c.Generation)!;
        var configuration = Newest();
        var finalClient = new SimClient(this, Options.Clients);
        var durability = new SimDurability(ReplicationMode.Sync, 0, Options.AcknowledgementTimeout + Options.CallTimeout);
        foreach (var grain in Grains)
        {
            HistoryOperation? last = null;
            for (var attempt = 1; attempt <= FinalAttempts && last is not { Type: OutcomeType.Ok }; attempt++)
            {
                configuration = Newest();
                var owner = configuration.Resolve(Invariants.DirectoryOwner(grain), grain.Partition).Owner;
                HistoryOperation? done = null;
                finalClient.Invoke(grain, this[owner], durability, $"final{grain.Index}.{attempt}", operation => done = operation);
                var until = Sim.Now + (durability.Timeout + Options.CallTimeout + TimeSpan.FromSeconds(6)).Ticks;
                while (done is null && Sim.Now < until)
                {
                    Sim.RunUntil(Math.Min(until, Sim.Now + TimeSpan.FromMilliseconds(100).Ticks));
                }

                last = done;
                if (last is not { Type: OutcomeType.Ok })
                {
                    // A failback decided just now may not have reached the region asked: a probe round lets it learn.
                    Sim.RunUntil(Sim.Now + LeaseWait.Ticks);
                }
            }

            if (last is not { Type: OutcomeType.Ok })
            {
                Violation($"(4) after the final heal a Sync write to {grain} did not succeed in {FinalAttempts} attempts: {last?.ToString() ?? "no answer"} ({configuration})");
            }
        }

        Converge("after the final writes");
        return new SimulationResult(Sim.Seed, Sim.Steps, Sim.Elapsed, Sim.TraceHash, Sim.TraceLines, History.Operations.Count,
            History.Count(OutcomeType.Ok), History.Count(OutcomeType.Fail), History.Count(OutcomeType.Info), Sim.Tail);
    }
}
