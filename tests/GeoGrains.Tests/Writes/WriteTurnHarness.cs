using GeoGrains.Configuration;
using GeoGrains.Runtime.ActiveActive;
using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Reconciliation;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using GeoGrains.Runtime.Writes;
using GeoGrains.Tests.Failover;
using GeoGrains.Tests.Ownership;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Writes;

/// <summary>
/// One silo's write turn in us-east (<see cref="GeoWritePath"/>) over real parts without a cluster: an in-memory region
/// table, the ownership directory and the silo's copy of it, the silo's lease copy on a manual clock, and the replication
/// stream (not started: shipped versions wait in its queues, and acknowledgements are given by the test).
/// </summary>
internal sealed class WriteTurnHarness
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    public WriteTurnHarness()
    {
        var options = new GeoGrainsOptions { Region = "us-east", Topology = GeoTopology.DefaultOptions() };
        var region = new LocalRegion(UsEast);
        var directory = new DirectoryTestRegion(UsEast);
        Table = new MemoryRegionTable(directory.Account, new RegionStorageMetrics());
        Store = new GeoStore(Table, Serializer, options.Storage.Partitions);
        Failover = new FailoverState(() => throw new NotSupportedException("no observer in a unit test"), GeoTopology.Default, UsEast, Time,
            Options.Create(options.Failover), Options.Create(options.Health), NullLogger.Instance);
        Ownership = new OwnershipCache(() => directory.Grain, 1000, NullLogger.Instance, Failover);
        var clock = new HybridLogicalClock(Time);
        Replication = new GeoReplication(GeoTopology.Default, region, Links, Store, new ReplicationBatchCodec(Serializer), new ReplicationMetrics(),
            new Silo(), null!, null!, clock, new WholeChanges(), Time, Options.Create(options.Replication), Options.Create(options.Links), NullLogger<GeoReplication>.Instance);
        var index = new ConflictTimeIndex(Table, Serializer);
        var handOff = new GrainHandOff(region, GeoTopology.Default, Ownership, Links, new ReplicationBatchCodec(Serializer), null!, Failover, NullLogger<GrainHandOff>.Instance);
        var promotion = new TakeoverPromotion(region, GeoTopology.Default, Links, Store, new ReplicaVersions(), Failover, Ownership, null!, NullLogger<TakeoverPromotion>.Instance);
        var reconciliation = new OrphanReconciliation(region, new ReconciliationStore(Table, Serializer, Store, index), new ReconciliationPublisher(region, null!, NullLogger<ReconciliationPublisher>.Instance), clock);
        var resolution = new ActiveActiveResolution(region, Store, null!, new ConflictStore(Table, Serializer, Store, index), null!, clock);
        Writes = new GeoWritePath(region, Options.Create(options.Idempotency), Options.Create(options.Replication), Options.Create(options.Links), Store, Ownership,
            Replication, Replication.Outbox, Replication.Commits, Replication.Acknowledgements, new ChangeFeedPublisher(region, enabled: false, null!, NullLogger<ChangeFeedPublisher>.Instance), handOff, Failover, promotion,
            reconciliation, resolution, clock, Serializer, NullLogger<GeoWritePath>.Instance);
        Types = new GeoGrainTypes(GeoTopology.Default, new HomePartitioning(options.PartitionsPerRegion), new Dictionary<string, Func<string, RegionId>>());
    }

    public ManualTimeProvider Time { get; } = new();

    public RecordingLinks Links { get; } = new();

    public MemoryRegionTable Table { get; }

    public GeoStore Store { get; }

    public FailoverState Failover { get; }

    public OwnershipCache Ownership { get; }

    public GeoReplication Replication { get; }

    public GeoWritePath Writes { get; }

    public GeoGrainTypes Types { get; }

    /// <summary>us-east holds its lease: the two other regions confirmed it just now.</summary>
    public WriteTurnHarness WithLease()
    {
        var asked = Time.GetTimestamp();
        Failover.LeaseAnswered(EuWest, asked, new LeaseReply(true, 0, null, 0));
        Failover.LeaseAnswered(ApacEast, asked, new LeaseReply(true, 0, null, 0));
        Assert.True(Failover.HoldsLease);
        return this;
    }

    /// <summary>Lets the lease lapse: no confirmation within the lease period.</summary>
    public void LapseLease()
    {
        Time.Advance(Failover.Options.LeasePeriod);
        Assert.False(Failover.HoldsLease);
    }

    /// <summary>An activation of a counter grain homed in us-east.</summary>
    public TestActivation Activate(string key)
    {
        var grain = GrainId.Create("counter", $"us-east/{key}");
        return new TestActivation(grain, Types.Register(typeof(CounterGrain), grain), Store);
    }

    /// <summary>Runs <paramref name="method"/> as a write call's method at the owner, in the grain's turn; its result is the call's.</summary>
    public async Task<(GrainOwnership? Ran, object? Result)> WriteAsync(TestActivation grain, Func<Task<object?>> method, string? idempotencyKey = null)
    {
        var call = new TestCall(grain, method);
        var ran = await Writes.RunHereAsync(call, grain, new TurnRequest(0, Write: true, Durability.Async, Forwarded: false, idempotencyKey));
        return (ran, call.Result);
    }

    /// <summary>The change a counter write makes: one more.</summary>
    public Task Increment(TestActivation grain) => Writes.CommitAsync(grain, state => new CounterState { Count = state.Count + 1 });

    /// <summary>The version stored in the region's table.</summary>
    public async Task<GeoRecord?> StoredAsync(TestActivation grain) => (await Store.ReadAsync(grain.GrainId))?.Record;

    public sealed class CounterState
    {
        public int Count { get; set; }
    }

    [GeoGrain]
    private sealed class CounterGrain;

    /// <summary>Links to the other regions that record each call and fail it: nothing leaves the silo.</summary>
    public sealed class RecordingLinks : IRegionLinks
    {
        private readonly List<RegionId> _calls = [];

        public RegionId LocalRegion => UsEast;

        public IReadOnlyList<RegionId> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        public Task<TResult> InvokeAsync<TResult>(RegionId target, Func<IGrainFactory, Task<TResult>> call, CancellationToken cancellationToken = default)
        {
            lock (_calls)
            {
                _calls.Add(target);
            }

            return Task.FromException<TResult>(new RegionUnreachableException(UsEast, target, "a unit test has no other regions."));
        }

        public Task InvokeAsync(RegionId target, Func<IGrainFactory, Task> call, CancellationToken cancellationToken = default) =>
            InvokeAsync<object?>(target, async grains => { await call(grains); return null; }, cancellationToken);
    }

    private sealed class Silo : ILocalSiloDetails
    {
        public string Name => "silo-1";

        public string ClusterId => "geo-us-east";

        public string DnsHostName => "localhost";

        public SiloAddress SiloAddress { get; } = SiloAddress.FromParsableString("127.0.0.1:11111@1");

        public SiloAddress GatewayAddress => SiloAddress;
    }

    private sealed class WholeChanges : IDeltaShipping
    {
        public ReplicatedChange ForTarget(ReplicatedChange change, RegionId target, Func<GrainId, RegionId, GeoRecord?> acknowledged) => change;
    }
}
