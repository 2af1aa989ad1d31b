
namespace GeoGrains.Simulation;

/// <summary>
/// A client process: writes to one grain after another, each to the region it believes owns the grain (the grain's home
/// at first, then whatever a region's "not the owner" answer named; now and then a random region), one write at a time,
/// and gives up waiting after a while (the outcome is then unknown: <see cref="OutcomeType.Info"/>). Clients sit beside
/// the regions: their messages are not cut by the nemesis, but a crashed region never answers them.
/// </summary>
internal sealed class SimClient(SimWorld world, int process)
{
    private readonly Dictionary<int, RegionId> _believedOwner = [];
    private int _writes;

    public void Start(TimeSpan at) => world.Sim.After(at, Next);

    private void Next()
    {
        if (world.ClientsStopped)
        {
            return;
        }

        var sim = world.Sim;
        var grain = world.Grains[sim.Random.Next(world.Grains.Count)];
        var region = sim.Chance(0.15)
            ? world.Regions[sim.Random.Next(world.Regions.Count)]
            : world[_believedOwner.GetValueOrDefault(grain.Index, grain.Home)];
        var timeout = sim.Chance(0.5) ? world.Options.AcknowledgementTimeout : world.Options.LongerAcknowledgementTimeouts[sim.Random.Next(world.Options.LongerAcknowledgementTimeouts.Count)];
        var roll = sim.Random.NextDouble();
        var durability = roll < 0.6 ? new SimDurability(ReplicationMode.Sync, 0, timeout)
            : roll < 0.9 ? new SimDurability(ReplicationMode.SemiSync, 1, timeout)
            : new SimDurability(ReplicationMode.Async, 0, timeout);
        Invoke(grain, region, durability, $"p{process}w{++_writes}", operation =>
        {
            if (operation.Outcome?.Owner is { } owner)
            {
                _believedOwner[grain.Index] = owner;
            }

            sim.After(sim.Between(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(600)), Next);
        });
    }

    /// <summary>Sends one write and calls <paramref name="done"/> once it completes, or once the client gives up on it.</summary>
    public void Invoke(SimGrain grain, SimRegion region, SimDurability durability, string value, Action<HistoryOperation> done)
    {
        var sim = world.Sim;
        var operation = world.History.Invoke(process, grain, value, durability, region.Id, sim.Elapsed);
        sim.Trace($"client p{process}: invoke write {value} to {grain} at {region.Id} {durability}");
        sim.After(sim.Between(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(3)), () =>
        {
            // The silo the grain is activated on serves it; a crashed region does not answer.
            if (region.Node?.SiloFor(grain) is not { } silo)
            {
                return;
            }

            silo.Context.Run(() => _ = RunAsync(silo));
        });
        sim.After(durability.Timeout + world.Options.CallTimeout + TimeSpan.FromSeconds(5),
            () => Complete(WriteOutcome.Info("the client gave up waiting")));

        async Task RunAsync(SimSilo silo)
        {
            var outcome = await silo.Writer.WriteAsync(grain, value, durability);
            sim.After(sim.Between(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(3)), () => Complete(outcome));
        }

        void Complete(WriteOutcome outcome)
        {
            if (!operation.Complete(outcome, sim.Elapsed))
            {
                return;
            }

            sim.Trace($"client p{process}: {operation}");
            if (outcome.Type == OutcomeType.Fail)
            {
                world.Invariants.Failed(value);
            }

            done(operation);
        }
    }
}
