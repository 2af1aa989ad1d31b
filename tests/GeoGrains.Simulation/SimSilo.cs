using GeoGrains.Configuration;
using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GeoGrains.Simulation;

/// <summary>
/// One incarnation of one silo of a region: what a crash or a wipe of the silo loses (its memory) while the region's
/// table and its other silos stay. Its lease copy and configuration are the real <see cref="FailoverState"/> (with the
/// real <see cref="SiloLease"/> inside); what drives it mirrors <c>SiloLeaseProber</c> (<see cref="ProbeAll"/>: every
/// probe interval, every other region's observer is asked to confirm the lease over <see cref="SimNetwork"/>) and
/// <c>RegionHealthKeeper</c> (<see cref="KeepAsync"/>: the observer's status every probe interval, the acceptor's durable
/// row when the observer does not answer). The grains activated on it write through its own <see cref="SimWriter"/> and
/// check this silo's lease, as <c>GeoWritePath</c> checks the silo's <c>FailoverState</c>. The observer may run on it
/// (<see cref="SimNode.Observer"/>). In-region calls take well under a millisecond and are neither cut nor lost: the
/// nemesis cuts links between regions only.
/// </summary>
internal sealed class SimSilo
{
    private static readonly Dictionary<string, GeoTopology> Topologies = [];

    private readonly SimWorld _world;
    private readonly SimNode _node;
    private readonly SimRegion _region;
    private readonly HashSet<RegionId> _asking = [];
    private readonly IReadOnlyList<RegionId> _peers;
    private readonly long _origin;
    private long _tick;

    public SimSilo(SimWorld world, SimNode node, int index, int incarnation)
    {
        _world = world;
        _node = node;
        _region = node.Region;
        Index = index;
        Incarnation = incarnation;
        Context = new SimRegionContext(world.Sim, $"{node.Context.Name}/silo{index}.{incarnation}");
        _peers = [.. world.RegionIds.Where(r => r != _region.Id)];
        _origin = _region.Time.GetTimestamp();
        var options = new GeoGrainsOptions { Region = _region.Id.Value };
        options.Health.ProbeInterval = world.Options.ProbeInterval;
        options.Health.ProbeTimeout = world.Options.ProbeTimeout;
        options.Health.FailuresToSuspect = world.Options.FailuresToSuspect;
        options.Failover.LeasePeriod = world.Options.LeasePeriod;
        options.Failover.MaxClockOffset = world.Options.MaxClockOffset;
        Failover = new FailoverState(() => new ObserverCall(this), TopologyOf(world.RegionIds), _region.Id, _region.Time, Options.Create(options.Failover), Options.Create(options.Health), NullLogger.Instance);
        Writer = new SimWriter(world, node, this);
        Promotion = new SimPromotion(world, node, this);
        Ownership = new SimOwnershipCache(node, this);
        HandOff = new SimHandOff(world, node, this);
    }

    public int Index { get; }

    public int Incarnation { get; }

    public SimRegionContext Context { get; }

    /// <summary>The silo's view of its region's lease and configuration: the real class.</summary>
    public FailoverState Failover { get; }

    public SimWriter Writer { get; }

    public SimPromotion Promotion { get; }

    /// <summary>The silo's copy of the region's directory (<c>OwnershipCache</c>): a crash or a wipe loses what it merged.</summary>
    public SimOwnershipCache Ownership { get; }

    /// <summary>The hand-off of the grains activated on this silo.</summary>
    public SimHandOff HandOff { get; }

    public bool IsUp => !Context.Dead;

    /// <summary>The silo's start: RegionHealthKeeper's two loops.</summary>
    public void Start() => Context.Run(() =>
    {
        // RegionHealthKeeper.ConfirmLeaseAsync: a PeriodicTimer whose body returns at once.
        _ = _region.Time.CreateTimer(_ => ProbeAll(), null, TimeSpan.Zero, _world.Options.ProbeInterval);
        _ = KeepAsync();
    });

    public void Kill() => Context.Kill();

    /// <summary>Runs <paramref name="call"/> as code of this silo (its awaits come back here, and never once it died).</summary>
    public Task<T> Call<T>(Func<Task<T>> call)
    {
        Task<T>? task = null;
        Context.Run(() => task = call());
        return task ?? Task.FromException<T>(new RegionUnreachableException(_region.Id, _region.Id, $"silo {this} is down."));
    }

    // SiloLeaseProber.ProbeAll.
    private void ProbeAll()
    {
        if (!Failover.Automatic)
        {
            return;
        }

        foreach (var peer in _peers)
        {
            if (_asking.Add(peer))
            {
                _ = ProbeAsync(peer);
            }
        }
    }

    // SiloLeaseProber.ProbeAsync.
    private async Task ProbeAsync(RegionId peer)
    {
        // Counted from before the request leaves, so never later than the granter's own count.
        var askedAt = _region.Time.GetTimestamp();
        try
        {
            var request = new LeaseRequest(_region.Id, Failover.Configuration.Generation);
            var reply = await _world.Network.CallObserverAsync(_region, Context, _world[peer], "confirm lease", h => Task.FromResult(h.ConfirmLease(request)), _world.Options.ProbeTimeout);
            Failover.LeaseAnswered(peer, askedAt, reply);
        }
        catch (Exception)
        {
            // A missing answer withdraws nothing: the last confirmation lapses on its own.
        }
        finally
        {
            _asking.Remove(peer);
        }
    }

    // RegionHealthKeeper.KeepAsync.
    private async Task KeepAsync()
    {
        while (true)
        {
            try
            {
                await Failover.RefreshAsync();
            }
            catch (Exception)
            {
                await ReadStoredAsync();
            }

            await TickAsync();
        }
    }

    // RegionHealthKeeper.ReadStoredAsync (MemoryRegionTable answers at once: no bound needed).
    private async Task ReadStoredAsync()
    {
        var askedAt = _region.Time.GetTimestamp();
        if (await OwnershipAcceptor.ReadAsync(_region.Table, _world.Serializer) is { } stored)
        {
            Failover.ApplyStored(stored, askedAt);
        }
    }

    // PeriodicTimer.WaitForNextTickAsync: ticks every probe interval from the loop's start; a tick that passed while the
    // body ran (a status call that timed out) returns at once, and several passed ticks count as one.
    private async Task TickAsync()
    {
        var interval = _world.Options.ProbeInterval.Ticks;
        var elapsed = _region.Time.GetElapsedTime(_origin).Ticks;
        var passed = elapsed / interval;
        if (passed > _tick)
        {
            _tick = passed;
            return;
        }

        _tick = passed + 1;
        await Task.Delay(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, _tick * interval - elapsed)), _region.Time);
    }

    /// <summary>
    /// FailoverState.WaitAsync: polls every tenth of a probe interval until the condition holds or the time is up, and
    /// between polls asks the observer for its status (a lease or a configuration it has now ends the wait). Not the real
    /// method: it also wakes on a signal whose continuations run on the thread pool, which would break replay; without it
    /// a lease confirmed by another region's answer is seen at the next poll.
    /// </summary>
    public async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var time = _region.Time;
        var deadline = time.GetTimestamp() + timeout.Ticks;
        var poll = TimeSpan.FromTicks(Math.Max(_world.Options.ProbeInterval.Ticks / 10, TimeSpan.FromMilliseconds(10).Ticks));
        while (!condition())
        {
            var left = TimeSpan.FromTicks(deadline - time.GetTimestamp());
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            // At least a millisecond: Task.Delay completes at once below one, and the loop would spin in one event.
            await Task.Delay(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, Math.Min(left.Ticks, poll.Ticks))), time);
            if (condition())
            {
                break;
            }

            var refresh = Failover.RefreshAsync();
            left = TimeSpan.FromTicks(deadline - time.GetTimestamp());
            await Task.WhenAny(refresh, Task.Delay(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, left.Ticks)), time));
            if (refresh.IsFaulted)
            {
                _ = refresh.Exception; // observed: the observer did not answer
            }
        }

        return true;
    }

    public override string ToString() => $"{_region.Id}/silo{Index}.{Incarnation}";

    // grains.GetGrain<IRegionHealthPeer>(0).GetStatus() from this silo: a call to the silo that hosts the observer now.
    // Unanswered while the observer is moving to another silo; FailoverState bounds the wait by a probe round.
    private Task<FailoverStatus> StatusAsync()
    {
        var answer = new TaskCompletionSource<FailoverStatus>();
        var sim = _world.Sim;
        sim.After(InRegion(), () =>
        {
            if (_node.Observer is not { Context.Dead: false } observer)
            {
                sim.Quiet();
                return;
            }

            observer.Context.Run(() =>
            {
                var status = observer.GetStatus();
                sim.After(InRegion(), () => Context.Run(() => answer.TrySetResult(status)));
            });
        });
        return answer.Task;
    }

    private TimeSpan InRegion() => _world.Sim.Between(TimeSpan.FromMilliseconds(0.1), TimeSpan.FromMilliseconds(0.6));

    private static GeoTopology TopologyOf(IReadOnlyList<RegionId> regions)
    {
        var key = string.Join(",", regions);
        lock (Topologies)
        {
            if (!Topologies.TryGetValue(key, out var topology))
            {
                var options = new GeoTopologyOptions
                {
                    Regions = [.. regions.Select(r => new RegionOptions { Id = r.Value, Jurisdiction = r.Value })],
                    RoundTrips = [.. regions.SelectMany((a, i) => regions.Skip(i + 1).Select(b => new RoundTripOptions { Between = a.Value, And = b.Value, Milliseconds = 100 }))],
                };
                Topologies[key] = topology = GeoTopology.FromOptions(options);
            }

            return topology;
        }
    }

    // The observer as FailoverState calls it: only GetStatus is called on a silo that serves no FirstWriteServed.
    private sealed class ObserverCall(SimSilo silo) : IRegionHealthPeer
    {
        public Task<FailoverStatus> GetStatus() => silo.StatusAsync();

        public Task<HealthProbeReply> Exchange(HealthProbe probe) => throw new NotSupportedException();

        public Task<LeaseReply> ConfirmLease(LeaseRequest request) => throw new NotSupportedException();

        public Task<PrepareReply> Prepare(Ballot ballot) => throw new NotSupportedException();

        public Task<AcceptReply> Accept(Ballot ballot, RegionConfiguration value) => throw new NotSupportedException();

        public Task Learn(RegionConfiguration chosen) => throw new NotSupportedException();

        public Task FirstWriteServed(long epoch) => throw new NotSupportedException();

        public Task ChangeTenure(RegionId region, bool away) => throw new NotSupportedException();
    }
}
