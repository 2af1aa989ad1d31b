using GeoGrains.Configuration;
using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging.Abstractions;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Failover;

/// <summary>
/// us-east's health observer without the grain: its roles wired as <c>RegionHealthGrain</c> wires them, in the default
/// three-region topology, on a manual clock. Probes reach the other observers through <see cref="ProbeLinks"/> (each
/// answers what the test sets, or is cut off, as all are at first); the agreement reaches the three regions' in-memory
/// acceptors (<see cref="InMemoryAgreementPeers"/>), us-east's being the one the roles read. A region declared down is
/// counted, not taken over: the tests call the proposer themselves, as the grain's timer would.
/// </summary>
internal sealed class HealthObserverHarness
{
    public const int PartitionsPerRegion = 8;

    /// <summary>How long a test waits for what runs off its thread (an agreement's calls hop through the thread pool).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly HybridLogicalClock _peerClock;
    private int _declaredDown;

    public HealthObserverHarness(FailoverOptions? failover = null, RegionHealthOptions? health = null)
    {
        Failover = failover ?? new FailoverOptions();
        Health = health ?? new RegionHealthOptions { StartupGrace = TimeSpan.Zero };
        var topology = GeoTopology.Default;
        var automatic = Failover.IsAutomatic(topology.RegionIds.Count());
        var clock = new HybridLogicalClock(Time);
        _peerClock = new HybridLogicalClock(Time);
        Clock = new ObserverClock(Time);
        Agreement = new WatchedAgreementPeers(Peers);
        Timeline = new RegionHealthTimeline(UsEast, clock, Time, NullLogger.Instance);
        Leases = new RegionLeaseKeeper(UsEast, topology, Failover, automatic, Acceptor, Clock, Timeline);
        Host = new OwnershipAcceptorHost(UsEast, topology, new ReplicaFreshness(clock, Time, TimeSpan.FromMinutes(1)), Acceptor, Leases, Timeline, NullLogger.Instance);
        Prober = new RegionHealthProber(UsEast, topology, Links, clock, Time, Clock, Health, Host, Leases, Timeline, () => Interlocked.Increment(ref _declaredDown), NullLogger.Instance);
        Planner = new TenurePlanner(UsEast, topology, PartitionsPerRegion, Failover, Acceptor, Prober, Time, NullLogger.Instance);
        var agreement = new OwnershipAgreement(UsEast, [.. topology.RegionIds], Agreement, TimeSpan.FromSeconds(30), NullLogger.Instance);
        Proposer = new OwnershipProposer(UsEast, topology, automatic, Failover, Health, agreement, Planner, Acceptor, Prober, Leases, Clock, Time, NullLogger.Instance);
    }

    public ManualTimeProvider Time { get; } = new();

    public ProbeLinks Links { get; } = new();

    /// <summary>The three regions' acceptors.</summary>
    public InMemoryAgreementPeers Peers { get; } = new(UsEast, EuWest, ApacEast);

    /// <summary>The acceptors as us-east's proposer reaches them.</summary>
    public WatchedAgreementPeers Agreement { get; }

    public OwnershipAcceptor Acceptor => Peers[UsEast];

    public FailoverOptions Failover { get; }

    public RegionHealthOptions Health { get; }

    public ObserverClock Clock { get; }

    public RegionHealthTimeline Timeline { get; }

    public RegionLeaseKeeper Leases { get; }

    public OwnershipAcceptorHost Host { get; }

    public RegionHealthProber Prober { get; }

    public TenurePlanner Planner { get; }

    public OwnershipProposer Proposer { get; }

    /// <summary>How often the prober asked for a takeover because a region was just declared down.</summary>
    public int DeclaredDown => Volatile.Read(ref _declaredDown);

    /// <summary>The lease as the holder counts it: the period less the clock offset.</summary>
    public TimeSpan HolderPeriod => Failover.LeasePeriod - Failover.MaxClockOffset;

    /// <summary>Probe rounds as the grain's timer runs them (without the proposer), one probe interval apart.</summary>
    public void Rounds(int count)
    {
        for (var round = 0; round < count; round++)
        {
            Prober.ProbeAll();
            Leases.Check();
            Time.Advance(Health.ProbeInterval);
        }
    }

    /// <summary><paramref name="region"/>'s observer answers every probe from now on: it confirms us-east's lease and suspects <paramref name="suspects"/>.</summary>
    public void Answers(RegionId region, params RegionId[] suspects) =>
        Links.Answer(region, new HealthProbeReply(Report(region, suspects), LeaseGranted: true, Generation: 0, Configuration: null, FenceGeneration: 0));

    /// <summary>A health report of <paramref name="reporter"/>, stamped now.</summary>
    public RegionHealthReport Report(RegionId reporter, params RegionId[] suspects) => new(reporter, suspects, _peerClock.Now());

    /// <summary>The first configuration: <paramref name="region"/> away, its grains with the two others; drained if <paramref name="planned"/>, else taken over after a failure.</summary>
    public RegionConfiguration Taken(RegionId region, bool planned) =>
        RegionConfiguration.Initial.With(region, TenureState.Away, [.. Peers.Regions.Where(r => r != region)], Time.GetUtcNow(), planned);

    /// <summary>The changes the timeline holds for <paramref name="subject"/>, oldest first.</summary>
    public IReadOnlyList<RegionHealthChange> Changes(RegionId subject) => [.. Timeline.Events.Where(e => e.Subject == subject).Select(e => e.Change)];

    /// <summary>
    /// Has apac-east's proposer decide <paramref name="change"/> over the three acceptors (not through us-east's roles, as
    /// another region's proposal would be), and waits until every region has learned it.
    /// </summary>
    public async Task<RegionConfiguration> DecideAsync(Func<RegionConfiguration, RegionConfiguration?> change)
    {
        var agreement = new OwnershipAgreement(ApacEast, Peers.Regions, Peers, TimeSpan.FromSeconds(30), NullLogger.Instance);
        var outcome = await agreement.ChangeAsync((current, _) => change(current), new HashSet<RegionId>(), CancellationToken.None);
        await Peers.TellingDoneAsync();
        return Assert.IsType<RegionConfiguration>(outcome.Chosen);
    }

    /// <summary>The other regions' observers as the prober's links reach them: each answers every probe with the reply set for it, or is cut off.</summary>
    public sealed class ProbeLinks : IRegionLinks
    {
        private readonly Dictionary<RegionId, HealthProbeReply> _replies = [];

        public RegionId LocalRegion => UsEast;

        public void Answer(RegionId region, HealthProbeReply reply)
        {
            lock (_replies)
            {
                _replies[region] = reply;
            }
        }

        public void Cut(RegionId region)
        {
            lock (_replies)
            {
                _replies.Remove(region);
            }
        }

        public Task<TResult> InvokeAsync<TResult>(RegionId target, Func<IGrainFactory, Task<TResult>> call, CancellationToken cancellationToken = default)
        {
            lock (_replies)
            {
                return _replies.TryGetValue(target, out var reply) && reply is TResult result
                    ? Task.FromResult(result)
                    : Task.FromException<TResult>(new RegionUnreachableException(UsEast, target, "cut off in the test"));
            }
        }

        public Task InvokeAsync(RegionId target, Func<IGrainFactory, Task> call, CancellationToken cancellationToken = default) =>
            Task.FromException(new RegionUnreachableException(UsEast, target, "the observer only probes"));
    }

    /// <summary>
    /// The acceptors as us-east's proposer reaches them, watched: how many prepares it sent (a proposal starts with them,
    /// before its first await), and the first configuration it learned it chose.
    /// </summary>
    public sealed class WatchedAgreementPeers(InMemoryAgreementPeers peers) : IAgreementPeers
    {
        private readonly TaskCompletionSource<RegionConfiguration> _chosen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _prepares;

        public int Prepares => Volatile.Read(ref _prepares);

        /// <summary>The first configuration us-east's proposer chose, once us-east has learned it.</summary>
        public Task<RegionConfiguration> Chosen => _chosen.Task.WaitAsync(Patience);

        public Task<PrepareReply> PrepareAsync(RegionId acceptor, Ballot ballot, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _prepares);
            return peers.PrepareAsync(acceptor, ballot, cancellationToken);
        }

        public Task<AcceptReply> AcceptAsync(RegionId acceptor, Ballot ballot, RegionConfiguration value, CancellationToken cancellationToken) =>
            peers.AcceptAsync(acceptor, ballot, value, cancellationToken);

        public async Task LearnAsync(RegionId learner, RegionConfiguration chosen, CancellationToken cancellationToken)
        {
            await peers.LearnAsync(learner, chosen, cancellationToken);
            if (learner == UsEast)
            {
                _chosen.TrySetResult(chosen);
            }
        }
    }
}
