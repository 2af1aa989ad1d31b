using System.Collections.Concurrent;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Streams;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// Three regions, and one failover of us-east that leaves orphaned versions behind, run once for the reconciliation
/// tests: a keeping, a merging and a failing grain homed in us-east are written there (replicated), then written again
/// with replication from us-east dropped (acknowledged <c>Async</c>, certainly not shipped), then us-east is isolated,
/// the others take its grains over and write them, and the network heals.
/// </summary>
public sealed class ReconciliationFixture : IAsyncLifetime
{

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private Lazy<Task<ReconciliationScenario>> _scenario = null!;
    private readonly List<StreamSubscriptionHandle<ReconciliationRecord>> _subscriptions = [];

    public GeoTestCluster Geo { get; private set; } = null!;

    /// <summary>The failover, run by the first test that asks for it.</summary>
    public Task<ReconciliationScenario> Scenario => _scenario.Value;

    /// <summary>Every record published on the reconciliation streams of eu-west and apac-east since the scenario began.</summary>
    public ConcurrentQueue<ReconciliationRecord> Published { get; } = new();

    public async Task InitializeAsync()
    {
        // Suspecting a region only after two seconds of failed probes: the scenario's steps on a busy machine are not
        // taken for a failure before it isolates us-east.
        Geo = await FailoverFixture.StartAsync(o => o.Health.FailuresToSuspect = 10);
        _scenario = new Lazy<Task<ReconciliationScenario>>(RunAsync);
    }

    public async Task DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            try
            {
                await subscription.UnsubscribeAsync();
            }
            catch (Exception)
            {
                // The cluster goes away next.
            }
        }

        await Geo.DisposeAsync();
    }

    public IItemsGrain Grain(RegionId via, ItemsKind kind, string key) => kind switch
    {
        ItemsKind.Keeping => Geo.Client(via).GetGrain<IKeepingItemsGrain>(key),
        ItemsKind.Merging => Geo.Client(via).GetGrain<IMergingItemsGrain>(key),
        _ => Geo.Client(via).GetGrain<IFailingItemsGrain>(key),
    };

    /// <summary>Builds replication batches as a region's shipper does, to deliver a version again.</summary>
    internal ReplicationBatchCodec Codec() => new(Geo[EuWest].Cluster!.Client.ServiceProvider.GetRequiredService<Orleans.Serialization.Serializer>());

    private async Task<ReconciliationScenario> RunAsync()
    {
        foreach (var region in Geo.Regions)
        {
            await Eventually.Succeeds(async () =>
            {
                var view = await Geo.Client(region).GetGrain<IRegionHealthGrain>(0).GetView();
                return view.Suspected.Count == 0 && view.DeclaredDown.Count == 0 ? view : throw new InvalidOperationException($"{region} suspects a region");
            }, Timeout, $"{region} sees every region up");
        }

        foreach (var region in new[] { EuWest, ApacEast })
        {
            var stream = Geo.Client(region).GetStreamProvider(ReconciliationStream.ProviderName)
                .GetStream<ReconciliationRecord>(StreamId.Create(ReconciliationStream.Namespace, region.Value));
            _subscriptions.Add(await stream.SubscribeAsync((record, _) =>
            {
                Published.Enqueue(record);
                return Task.CompletedTask;
            }));
        }

        var run = Guid.NewGuid().ToString("N");
        var keys = Enum.GetValues<ItemsKind>().ToDictionary(kind => kind, kind => $"us-east/recon-{kind}-{run}".ToLowerInvariant());
        var acknowledged = keys.Keys.ToDictionary(kind => kind, _ => new List<int>());

        // Shipped: every region holds the first three versions.
        foreach (var (kind, key) in keys)
        {
            foreach (var item in new[] { 1, 2, 3 })
            {
                await Eventually.Succeeds(() => AddAsync(UsEast, kind, key, item, acknowledged, Durability.Async), Timeout, $"a write to '{key}' in us-east");
            }
        }

        foreach (var (kind, key) in keys)
        {
            foreach (var region in new[] { EuWest, ApacEast })
            {
                await Eventually.Succeeds(async () => (await Grain(region, kind, key).Get()).Version >= 3 ? true : throw new InvalidOperationException("not replicated yet"),
                    Timeout, $"{region} holds the first versions of '{key}'");
            }
        }

        // Acknowledged by us-east and never shipped: replication from us-east is dropped before the writes.
        Geo.Network.Drop<IReplicationReceiverGrain>(UsEast, EuWest);
        Geo.Network.Drop<IReplicationReceiverGrain>(UsEast, ApacEast);
        var orphaned = new[] { 101, 102, 103, 104, 105 };
        foreach (var (kind, key) in keys)
        {
            foreach (var item in orphaned)
            {
                var receipt = await Eventually.Succeeds(() => AddAsync(UsEast, kind, key, item, acknowledged, Durability.Async), Timeout, $"a write to '{key}' in us-east");
                if (receipt.ExecutedIn != UsEast)
                {
                    throw new InvalidOperationException($"'{key}' was written in {receipt.ExecutedIn}, not in its home us-east");
                }
            }
        }

        var isolatedAt = DateTimeOffset.UtcNow;
        Geo.Isolate(UsEast);
        await Eventually.Succeeds(async () =>
        {
            var timeline = await Geo.Client(EuWest).GetGrain<IRegionHealthGrain>(0).GetTimeline();
            return timeline.Any(e => e.At >= isolatedAt && e.Subject == UsEast && e.Change == RegionHealthChange.OwnershipTransferred)
                ? true : throw new InvalidOperationException($"us-east's grains were not taken over yet; eu-west's timeline since the isolation: " +
                    string.Join("; ", timeline.Where(e => e.At >= isolatedAt).Select(e => $"{e.At:HH:mm:ss.fff} {e.Subject} {e.Change} {e.Detail}")));
        }, Timeout, "the others take us-east's grains over");

        // The new owners continue from what was shipped and write on.
        foreach (var (kind, key) in keys)
        {
            foreach (var item in new[] { 201, 202 })
            {
                var receipt = await Eventually.Succeeds(() => AddAsync(EuWest, kind, key, item, acknowledged, durability: null), Timeout, $"a write to '{key}' at its new owner");
                if (receipt.ExecutedIn == UsEast)
                {
                    throw new InvalidOperationException($"'{key}' was written in the isolated us-east");
                }
            }
        }

        Geo.Heal();
        return new ReconciliationScenario(keys, acknowledged.ToDictionary(a => a.Key, a => (IReadOnlyList<int>)[.. a.Value]), orphaned);
    }

    /// <summary>Writes an item, and counts it as acknowledged if the write succeeds (a write that fails may be retried: its outcome is unknown).</summary>
    private async Task<WriteReceipt> AddAsync(RegionId via, ItemsKind kind, string key, int item, Dictionary<ItemsKind, List<int>> acknowledged, Durability? durability)
    {
        using var scope = durability is null ? null : GeoContext.Write(durability);
        var receipt = await Grain(via, kind, key).Add(item);
        acknowledged[kind].Add(item);
        return receipt;
    }
}

/// <summary>Which hook an items grain has.</summary>
public enum ItemsKind
{
    Keeping,
    Merging,
    Failing,
}

/// <summary>What the failover left: each grain's key, the items acknowledged to it, and those only us-east acknowledged.</summary>
public sealed record ReconciliationScenario(
    IReadOnlyDictionary<ItemsKind, string> Keys,
    IReadOnlyDictionary<ItemsKind, IReadOnlyList<int>> Acknowledged,
    IReadOnlyList<int> Orphaned);
