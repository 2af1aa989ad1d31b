using GeoGrains.Crdts;
using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Hosting;
using GeoGrains.Runtime.Replication;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// Applies replicated versions of active-active grains in the receiving region. An incoming version the stored one has
/// seen is skipped (so duplicated and reordered delivery changes nothing); one that has seen the stored one replaces it;
/// a concurrent one is resolved by the grain's policy and the resolution stored with its conflict record, in one atomic
/// write. None of these activates the grain: every write is conditional on the stored record's ETag, so a local write or
/// another batch that got there first makes it decide again from what is stored, and the region's warm activations are
/// handed what was stored like any applied version. Only a <see cref="ConflictPolicy.Custom"/> merge (the grain's own
/// code) goes to the grain's activation in this region (<see cref="IActiveActiveGrain.Resolve"/>).
/// </summary>
internal sealed class ActiveActiveApplier(
    GeoStore store,
    ReplicaVersions known,
    StoredResolvers resolvers,
    ConflictStore conflicts,
    ConflictPublisher conflictFeed,
    LocalRegion region,
    HybridLogicalClock clock)
{
    /// <summary>Applies <paramref name="changes"/>; returns the versions stored here without the grain (to hand to warm activations).</summary>
    public async Task<List<(GrainId Grain, StoredGeoRecord Stored)>> ApplyAsync(IReadOnlyList<ReplicatedChange> changes, IGrainFactory grains)
    {
        var applied = new List<(GrainId, StoredGeoRecord)>();
        var perGrain = await Task.WhenAll(changes.GroupBy(c => c.Grain).Select(async group =>
        {
            var stored = new List<(GrainId, StoredGeoRecord)>();
            foreach (var change in group)
            {
                if (await ApplyOneAsync(change, grains) is { } one)
                {
                    stored.Add((change.Grain, one));
                }
            }

            return stored;
        }));
        foreach (var grain in perGrain)
        {
            applied.AddRange(grain);
        }

        return applied;
    }

    private async Task<StoredGeoRecord?> ApplyOneAsync(ReplicatedChange change, IGrainFactory grains)
    {
        var current = known.Get(change.Grain);
        while (true)
        {
            current ??= await store.ReadAsync(change.Grain);
            switch (ActiveActiveVersions.Order(change.Record, current?.Record))
            {
                case CausalOrder.Before or CausalOrder.Equal:
                    if (current is not null)
                    {
                        known.Set(change.Grain, current);
                    }

                    return null;

                case CausalOrder.After:
                    if (await store.TryCommitAsync(change.Grain, change.Record, current?.ETag, marker: null) is { } etags)
                    {
                        var stored = new StoredGeoRecord(change.Record, etags.Record);
                        known.Set(change.Grain, stored);
                        return stored;
                    }

                    break;

                default:
                    if (resolvers.For(change.Grain) is not { } resolver)
                    {
                        known.Forget(change.Grain);
                        await grains.GetGrain<IActiveActiveGrain>(change.Grain).Resolve(change.Record);
                        return null;
                    }

                    var resolution = ActiveActiveVersions.Resolve(change.Grain, current!.Record, change.Record, resolver.Policy, resolver.Merge, region.Id, clock.Now());
                    if (await store.TryCommitAsync(change.Grain, resolution.Result, current.ETag, marker: null, conflicts.Write(resolution.Conflict)) is { } resolved)
                    {
                        var stored = new StoredGeoRecord(resolution.Result, resolved.Record);
                        known.Set(change.Grain, stored);
                        conflictFeed.Publish(resolution.Conflict);
                        return stored;
                    }

                    break;
            }

            // A local write or another batch got there first: decide again from what is stored.
            known.Forget(change.Grain);
            current = null;
        }
    }
}
