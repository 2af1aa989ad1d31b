using GeoGrains.Configuration;
using System.Collections.Concurrent;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Streams;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.ActiveActive;

/// <summary>
/// Three regions, one silo each, platform failover off (active-active grains need no owner, and partitions here must
/// not move anything), started once for the active-active tests; every conflict published on any region's stream is
/// collected. Outbox markers linger 30 s, so the versions deltas are taken against are not forgotten mid-test.
/// </summary>
public sealed class ActiveActiveFixture : IAsyncLifetime
{
    public static readonly RegionId[] Regions = [UsEast, EuWest, ApacEast];

    private readonly List<StreamSubscriptionHandle<ConflictRecord>> _subscriptions = [];

    public GeoTestCluster Geo { get; private set; } = null!;

    /// <summary>Every conflict published, with the region whose stream carried it.</summary>
    public ConcurrentQueue<(RegionId Stream, ConflictRecord Record)> Published { get; } = new();

    public async Task InitializeAsync()
    {
        Geo = await new GeoTestClusterBuilder()
            .WithSilosPerRegion(1)
            .WithCallTimeout(TimeSpan.FromSeconds(2))
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o =>
            {
                o.Failover.Automatic = false;

                // A delta is taken against the version a region acknowledged, known while the grain's outbox marker stays:
                // long enough that no pause between a test's steps loses it.
                o.Replication.MarkerLinger = TimeSpan.FromSeconds(30);
            }))
            .StartAsync();
        foreach (var region in Regions)
        {
            var stream = Geo.Client(region).GetStreamProvider(ConflictStream.ProviderName)
                .GetStream<ConflictRecord>(StreamId.Create(ConflictStream.Namespace, region.Value));
            _subscriptions.Add(await stream.SubscribeAsync((record, _) =>
            {
                Published.Enqueue((region, record));
                return Task.CompletedTask;
            }));
        }
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

    /// <summary>Cuts every link between the three regions.</summary>
    public void PartitionAll()
    {
        Geo.Partition(UsEast, EuWest);
        Geo.Partition(UsEast, ApacEast);
        Geo.Partition(EuWest, ApacEast);
    }

    /// <summary>Builds replication batches as a region's shipper does, to deliver versions again.</summary>
    internal ReplicationBatchCodec Codec() => new(Geo[EuWest].Cluster!.Client.ServiceProvider.GetRequiredService<Orleans.Serialization.Serializer>());
}

/// <summary>The active-active test classes share one <see cref="ActiveActiveFixture"/>: its three regions start once.</summary>
[CollectionDefinition(Name)]
public sealed class ActiveActiveCollection : ICollectionFixture<ActiveActiveFixture>
{
    public const string Name = "active-active";
}
