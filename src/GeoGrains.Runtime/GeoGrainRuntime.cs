using System.Collections.Concurrent;
using System.Text.Json;
using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Hosting;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Storage;

namespace GeoGrains.Runtime;

/// <summary>The services a geo grain activation uses: placement, commit, replication and hand-off.</summary>
internal sealed class GeoGrainRuntime(
    LocalRegion region,
    GeoTopology topology,
    IOptions<GeoGrainsOptions> options,
    GeoStore store,
    HybridLogicalClock clock,
    OwnershipCache ownership,
    GeoReplication replication,
    IRegionLinks links,
    ReplicationBatchCodec codec,
    ChangeFeedPublisher changeFeed,
    IGrainFactory grains,
    ILogger<GeoGrainRuntime> logger)
{
    private readonly ConcurrentDictionary<Type, GeoGrainAttribute> _attributes = new();

    public RegionId Region => region.Id;


    public OwnershipCache Ownership => ownership;

    public GeoStore Store => store;

    /// <summary>Places an activation: validates its class and key, and finds its home partition.</summary>
    public GeoGrainRegistration Register(Type grainClass, GrainId grain)
    {
        var attribute = _attributes.GetOrAdd(grainClass, GeoGrainRegistration.AttributeOf);
        var key = grain.Key.ToString();
        var home = HomeRegionPolicy.For(attribute, topology, options.Value.HomeFunctions, grainClass.FullName ?? grainClass.Name).HomeOf(key);
        return new GeoGrainRegistration(key, home, HomePartition.Of(home, key, options.Value.PartitionsPerRegion), attribute);
    }

    public byte[] Serialize<TState>(TState state) => JsonSerializer.SerializeToUtf8Bytes(state);

    public TState Deserialize<TState>(byte[] state) =>
        JsonSerializer.Deserialize<TState>(state) ?? throw new InvalidDataException($"Stored state of type {typeof(TState).Name} is null.");

    /// <summary>
    /// Commits a new version: outbox entries first, then the record (conditional on the version this activation holds,
    /// which fences a stale owner), then queues it for shipping. Once this returns the write is durable in the region.
    /// </summary>
    public GeoRecord Commit(GrainId grain, GeoRecord? current, byte[] state, GrainOwnership owner)
    {
        var next = new GeoRecord((current?.Version ?? 0) + 1, owner.Epoch, clock.Now(), region.Id, state);
        store.AddToOutbox(replication.Targets, grain, next);

        if (!store.TryCommit(grain, current, next))
        {
            var stored = store.Read(grain);
            throw new InconsistentStateException(
                $"Geo grain '{grain}' in region '{region.Id}': the stored version ({stored?.Epoch}.{stored?.Version}) is not the one this activation " +
                $"holds ({current?.Epoch}.{current?.Version}); another owner has written it. The write was not applied.");
        }

        replication.Ship(grain, next);
        if (options.Value.ChangeFeed)
        {
            changeFeed.Publish(new GeoChange(grain, next.Version, next.Epoch, next.CommittedAt, next.CommittedIn, System.Text.Encoding.UTF8.GetString(state)));
        }

        return next;
    }

    /// <summary>
    /// Hands ownership of <paramref name="grain"/> to <paramref name="newOwner"/>. Runs inside the owner activation's turn,
    /// so no write to the grain runs meanwhile; writes queued behind it then see the new owner and are forwarded.
    /// </summary>
    public async Task<GrainOwnership> HandOffAsync(GrainId grain, GeoGrainRegistration registration, GeoRecord? latest, RegionId newOwner)
    {
        _ = topology[newOwner];
        var current = await ownership.ResolveAsync(grain, registration.Partition);
        if (current.Owner != region.Id)
        {
            throw new OwnershipMovedException(grain.ToString(), region.Id, current);
        }

        if (newOwner == region.Id)
        {
            return current;
        }

        var next = new GrainOwnership(newOwner, current.Epoch + 1);
        var change = OwnershipTable.Empty.WithGrain(grain, registration.Partition, next);

        // The new owner gets the latest version before it is told it owns the grain, so it continues from there.
        if (latest is not null)
        {
            var batch = codec.Encode(region.Id, 0, [new ReplicatedChange(grain, latest)], compress: false, out _);
            await links.InvokeAsync(newOwner, g => g.GetGrain<IReplicationReceiverGrain>(0).Apply(batch));
        }

        try
        {
            await links.InvokeAsync(newOwner, g => g.GetGrain<IOwnershipDirectoryGrain>(0).Merge(change));
        }
        catch (RegionUnreachableException exception)
        {
            // The new owner may have taken ownership and only the reply was lost. Two writers would break the single-writer
            // rule, so this region steps down regardless; directory anti-entropy completes the move once the link is back.
            ownership.Merge(change);
            await grains.GetGrain<IOwnershipDirectoryGrain>(0).Merge(change);
            throw new RegionUnreachableException(region.Id, newOwner,
                $"the move of '{grain}' is in doubt ({exception.Message}); region '{region.Id}' has stepped down and the move completes when the regions reconnect.");
        }

        // Fence this silo first, then record the move durably in this region's directory.
        ownership.Merge(change);
        ownership.Merge(await grains.GetGrain<IOwnershipDirectoryGrain>(0).Merge(change));

        // The other regions learn now if they can; until then they forward to this region, which forwards on.
        foreach (var other in topology.RegionIds.Where(r => r != region.Id && r != newOwner))
        {
            try
            {
                await links.InvokeAsync(other, g => g.GetGrain<IOwnershipDirectoryGrain>(0).Merge(change));
            }
            catch (RegionUnreachableException exception)
            {
                logger.LogWarning("Region {Region} did not learn that {Grain} moved to {Owner}: {Reason}", other, grain, newOwner, exception.Message);
            }
        }

        logger.LogInformation("Geo grain {Grain} moved from {Old} to {New} (epoch {Epoch}).", grain, region.Id, newOwner, next.Epoch);
        return next;
    }
}
