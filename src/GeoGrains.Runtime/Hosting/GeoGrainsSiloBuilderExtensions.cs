using GeoGrains.Configuration;
using GeoGrains.Runtime.ActiveActive;
using GeoGrains.Runtime.Admin;
using GeoGrains.Runtime.Calls;
using GeoGrains.Runtime.Writes;
using GeoGrains;
using GeoGrains.Calls;
using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Reconciliation;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers;
using Orleans.Storage;
using Orleans.Runtime;

namespace Orleans.Hosting;

/// <summary>Adds GeoGrains to an Orleans silo.</summary>
public static class GeoGrainsSiloBuilderExtensions
{
    /// <summary>
    /// Makes this silo part of a GeoGrains region: validates the topology at startup, and connects the region to every
    /// other region through <see cref="IRegionLinks"/>.
    /// </summary>
    /// <remarks>
    /// The silo's <see cref="ClusterOptions.ClusterId"/> must be the region's cluster id (default <c>geo-{region}</c>):
    /// every region is its own Orleans cluster. To share one <see cref="WanEmulator"/> or <see cref="LinkMeter"/> between
    /// silos in one process (tests, the dev cluster), register the instance in the silo's services.
    /// </remarks>
    public static ISiloBuilder AddGeoGrains(this ISiloBuilder builder, Action<GeoGrainsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder.AddGeoGrainsCore();
    }

    /// <summary>Adds GeoGrains with options bound from a configuration section (usually <c>GeoGrains</c>).</summary>
    public static ISiloBuilder AddGeoGrains(this ISiloBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        builder.Services.Configure<GeoGrainsOptions>(section);
        return builder.AddGeoGrainsCore();
    }

    private static ISiloBuilder AddGeoGrainsCore(this ISiloBuilder builder)
    {
        var services = builder.Services;
        // Each feature takes only its own section (IOptions<ReplicationOptions> and the like), and has its own validator.
        AddSection(services, o => o.Links);
        AddSection(services, o => o.Storage);
        AddSection(services, o => o.Replication);
        AddSection(services, o => o.Directory);
        AddSection(services, o => o.Consistency);
        AddSection(services, o => o.Health);
        AddSection(services, o => o.Failover);
        AddSection(services, o => o.Idempotency);
        services.AddSingleton<IConfigurationValidator, TopologyOptionsValidator>();
        services.AddSingleton<IConfigurationValidator, GeoLinkOptionsValidator>();
        services.AddSingleton<IConfigurationValidator, ReplicationOptionsValidator>();
        services.AddSingleton<IConfigurationValidator, OwnershipDirectoryOptionsValidator>();
        services.AddSingleton<IConfigurationValidator>(sp => new ConsistencyOptionsValidator(
            sp.GetRequiredService<IOptions<ConsistencyOptions>>(), Whole(sp).SessionTokenKey));
        services.AddSingleton<IConfigurationValidator, IdempotencyOptionsValidator>();
        services.AddSingleton<IConfigurationValidator, RegionHealthOptionsValidator>();
        services.AddSingleton<IConfigurationValidator, FailoverOptionsValidator>();
        services.TryAddSingleton(sp => new HomePartitioning(Whole(sp).PartitionsPerRegion));
        services.TryAddSingleton(sp => Resolve(sp).Topology);
        services.TryAddSingleton(sp => new LocalRegion(Resolve(sp).Region));
        services.TryAddSingleton(sp => new WanEmulator(
            sp.GetRequiredService<GeoTopology>(),
            sp.GetRequiredService<IOptions<GeoLinkOptions>>().Value.EmulateWan));
        services.TryAddSingleton<LinkMeter>();
        services.TryAddSingleton<RegionLinks>();
        services.TryAddSingleton<IRegionLinks>(sp => sp.GetRequiredService<RegionLinks>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RegionLinks>());

        // Geo grains: placement, ownership, routing, replication.
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new HybridLogicalClock(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<FailoverOptions>>().Value.MaxClockOffset,
            sp.GetRequiredService<ILogger<HybridLogicalClock>>()));

        // Storage: the region's table, checked before the silo takes calls.
        services.TryAddSingleton(sp => new RegionStorageAccount(sp.GetRequiredService<LocalRegion>().Id));
        services.TryAddSingleton<RegionStorageMetrics>();
        services.AddSingleton<IConfigurationValidator, RegionStorageOptionsValidator>();
        services.TryAddSingleton(RegionTableFactory.Create);
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, RegionStorageStartup>();
        services.TryAddSingleton(sp => new GeoStore(
            sp.GetRequiredService<IRegionTable>(),
            sp.GetRequiredService<Orleans.Serialization.Serializer>(),
            sp.GetRequiredService<IOptions<RegionStorageOptions>>().Value.Partitions));
        services.TryAddSingleton(sp => new DirectoryStore(
            sp.GetRequiredService<IRegionTable>(),
            sp.GetRequiredService<Orleans.Serialization.Serializer>(),
            sp.GetRequiredService<IOptions<OwnershipDirectoryOptions>>().Value));

        services.TryAddSingleton<ReplicationBatchCodec>();
        services.TryAddSingleton<ReplicationMetrics>();
        services.TryAddSingleton<GeoReplication>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<GeoReplication>());
        services.TryAddSingleton<IChangeShipping>(sp => sp.GetRequiredService<GeoReplication>());
        services.TryAddSingleton(sp => sp.GetRequiredService<GeoReplication>().Outbox);
        services.TryAddSingleton(sp => sp.GetRequiredService<GeoReplication>().Commits);
        services.TryAddSingleton(sp => sp.GetRequiredService<GeoReplication>().Acknowledgements);
        services.TryAddSingleton<ReplicaVersions>();
        services.TryAddSingleton<ReplicaActivations>();
        services.TryAddSingleton<ReplicaNotifier>();
        services.TryAddSingleton(sp => new ReplicaFreshness(
            sp.GetRequiredService<HybridLogicalClock>(),
            sp.GetRequiredService<TimeProvider>(),
            2 * sp.GetRequiredService<IOptions<ReplicationOptions>>().Value.OrphanAfter));
        builder.AddPlacementDirector<SiloKeyPlacement, SiloKeyPlacementDirector>();
        services.TryAddSingleton<OwnershipCache>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<OwnershipCache>());
        services.TryAddSingleton(sp => new ChangeFeedPublisher(
            sp.GetRequiredService<LocalRegion>(), Whole(sp).ChangeFeed, sp, sp.GetRequiredService<ILogger<ChangeFeedPublisher>>()));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ChangeFeedPublisher>());
        services.TryAddSingleton<GrainHandOff>();
        services.TryAddSingleton(sp => new GeoGrainTypes(
            sp.GetRequiredService<GeoTopology>(), sp.GetRequiredService<HomePartitioning>(), Whole(sp).HomeFunctions));
        services.TryAddSingleton<OwnerRouting>();
        services.TryAddSingleton<GeoWritePath>();
        services.TryAddSingleton<ConflictTimeIndex>();
        services.TryAddSingleton<ReconciliationStore>();
        services.TryAddSingleton<ReconciliationPublisher>();
        services.TryAddSingleton<OrphanReconciliation>();
        services.TryAddSingleton<ActiveActiveResolution>();
        services.TryAddSingleton<GeoGrains.Runtime.ActiveActive.ConflictStore>();
        services.TryAddSingleton<ConflictFeedQuery>();
        services.TryAddSingleton<GeoGrains.Runtime.ActiveActive.ConflictPublisher>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<GeoGrains.Runtime.ActiveActive.ConflictPublisher>());
        services.TryAddSingleton(sp => new GeoGrains.Runtime.ActiveActive.ActiveActiveTypes(
            sp.GetRequiredService<Orleans.Metadata.GrainClassMap>(), sp.GetRequiredService<GeoTopology>()));
        services.TryAddSingleton<IConcurrentChangeApplier, ActiveActiveApplier>();
        services.TryAddSingleton<GeoGrains.Runtime.ActiveActive.StateDeltas>();
        services.TryAddSingleton<IDeltaShipping, DeltaShipping>();
        services.TryAddSingleton<IOrphanedVersions, OrphanHandOff>();
        services.TryAddSingleton(sp => new SessionTokenCodec(
            Whole(sp).SessionTokenKey, sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
        builder.AddIncomingGrainCallFilter<GeoCallRouter>();

        // Region health: one observer per region, kept running by every silo.
        services.TryAddSingleton<FailoverState>();
        services.TryAddSingleton<SiloLeaseProber>();
        services.TryAddSingleton<TakeoverPromotion>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, RegionHealthKeeper>();

        // Grains calling geo grains get GeoContext scopes and what served their calls, as clients do.
        builder.AddOutgoingGrainCallFilter<GeoCallContextFilter>();

        // The change feed: an in-memory stream per region; it needs pub-sub storage, which a user may have added already.
        builder.AddMemoryStreams(GeoChangeFeed.ProviderName);
        if (!services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, ProviderConstants.DEFAULT_PUBSUB_PROVIDER_NAME) && d.ServiceType == typeof(IGrainStorage)))
        {
            builder.AddMemoryGrainStorage(ProviderConstants.DEFAULT_PUBSUB_PROVIDER_NAME);
        }

        return builder;
    }

    // A section of the options, as its own IOptions<T>: the same instance, so that both views always agree.
    private static void AddSection<T>(IServiceCollection services, Func<GeoGrainsOptions, T> section)
        where T : class =>
        services.TryAddSingleton<IOptions<T>>(sp => Options.Create(section(Whole(sp))));

    private static GeoGrainsOptions Whole(IServiceProvider services) => services.GetRequiredService<IOptions<GeoGrainsOptions>>().Value;

    private static (GeoTopology Topology, RegionId Region) Resolve(IServiceProvider services) =>
        TopologyOptionsValidator.Resolve(
            services.GetRequiredService<IOptions<GeoGrainsOptions>>().Value,
            services.GetRequiredService<IOptions<ClusterOptions>>().Value);
}
