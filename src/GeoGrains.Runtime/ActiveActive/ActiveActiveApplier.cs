using GeoGrains.Crdts;
using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// Applies replicated versions of active-active grains in the receiving region. An incoming version the stored one has
/// seen is skipped (so duplicated and reordered delivery changes nothing); one that has seen the stored one replaces it;
/// a concurrent one is resolved by the grain's policy and the resolution stored with its conflict record, in one atomic
/// write. None of these activates the grain: every write is conditional on the stored record's ETag, so a local write or
/// another batch that got there first makes it decide again from what is stored, and the region's warm activations are
/// handed what was stored like any applied version. Only a <see cref="ConflictPolicy.Custom"/> merge (the grain's own
/// code) goes to the grain's activation in this region (<see cref="IActiveActiveGrain.Resolve"/>). A version that
/// arrived as a delta is joined into the stored one first; one the stored version cannot take (it has not seen the
/// version the delta was taken against) is not applied, and the sender is asked for the whole state.
/// </summary>
internal sealed class ActiveActiveApplier(
    GeoStore store,
    ReplicaVersions known,
    StateDeltas deltas,
    ActiveActiveTypes types,
    ConflictStore conflicts,
    ConflictPublisher conflictFeed,
    LocalRegion region,
    HybridLogicalClock clock) : IConcurrentChangeApplier
{
    /// <summary>
    /// Applies <paramref name="changes"/>; returns the versions stored here without the grain (to hand to warm
    /// activations), and the grains whose deltas could not be joined.
    /// </summary>
    public async Task<(List<(GrainId Grain, StoredGeoRecord Stored)> Applied, List<GrainId> NeedWholeState)> ApplyAsync(
        IReadOnlyList<ReplicatedChange> changes, IGrainFactory grains)
    {
        var applied = new List<(GrainId, StoredGeoRecord)>();
        var needWhole = new List<GrainId>();
        var perGrain = await Task.WhenAll(changes.GroupBy(c => c.Grain).Select(async group =>
        {
            var stored = new List<(GrainId, StoredGeoRecord)>();
            var whole = false;
            foreach (var change in group)
            {
                var (one, needsWhole) = await ApplyOneAsync(change, grains);
                if (one is not null)
                {
                    stored.Add((change.Grain, one));
                }

                whole |= needsWhole;
            }

            return (stored, whole, group.Key);
        }));
        foreach (var (stored, whole, grain) in perGrain)
        {
            applied.AddRange(stored);
            if (whole)
            {
                needWhole.Add(grain);
            }
        }

        return (applied, needWhole);
    }

    private async Task<(StoredGeoRecord? Stored, bool NeedWholeState)> ApplyOneAsync(ReplicatedChange change, IGrainFactory grains)
    {
        var current = known.Get(change.Grain);
        while (true)
        {
            current ??= await store.ReadAsync(change.Grain);
            var order = ActiveActiveVersions.Order(change.Record, current?.Record);
            if (order is CausalOrder.Before or CausalOrder.Equal)
            {
                if (current is not null)
                {
                    known.Set(change.Grain, current);
                }

                return (null, false);
            }

            var record = change.Record;
            if (change.DeltaBase is { } deltaBase)
            {
                if (deltas.TryJoin(change.Grain, current?.Record, record.State, deltaBase) is not { } whole)
                {
                    return (null, true);
                }

                record = record with { State = whole };
            }

            if (order == CausalOrder.After)
            {
                if (await store.TryCommitAsync(change.Grain, record, current?.ETag, marker: null) is { } etags)
                {
                    var stored = new StoredGeoRecord(record, etags.Record);
                    known.Set(change.Grain, stored);
                    return (stored, false);
                }
            }
            else if (types.For(change.Grain) is not { ResolvesStored: true } resolver)
            {
                known.Forget(change.Grain);
                var resolvedThere = await grains.GetGrain<IActiveActiveGrain>(change.Grain).Resolve(change.Record, change.DeltaBase);
                return (null, !resolvedThere);
            }
            else
            {
                var resolution = ActiveActiveVersions.Resolve(change.Grain, current!.Record, record, resolver.Policy, resolver.StoredMerge, region.Id, clock.Now());
                var conflict = change.DeltaBase is null
                    ? resolution.Conflict
                    : resolution.Conflict with { Remote = ActiveActiveVersions.ToVersion(change.Record) with { IsDelta = true } };

                // The time index's entry is in another partition: durable first, so no committed conflict lacks one.
                await conflicts.IndexAsync(conflict);
                if (await store.TryCommitAsync(change.Grain, resolution.Result, current.ETag, marker: null, conflicts.Write(conflict)) is { } resolved)
                {
                    var stored = new StoredGeoRecord(resolution.Result, resolved.Record);
                    known.Set(change.Grain, stored);
                    conflictFeed.Publish(conflict);
                    return (stored, false);
                }
            }

            // A local write or another batch got there first: decide again from what is stored.
            known.Forget(change.Grain);
            current = null;
        }
    }
}
