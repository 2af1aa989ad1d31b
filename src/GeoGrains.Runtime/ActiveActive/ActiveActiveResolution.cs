using GeoGrains.Crdts;
using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// Takes a replicated version of an active-active grain into this region's stored one. Run in the grain's turn (the write
/// turn holds its lock), so that no local write of this region interleaves; decided again from what is stored each time.
/// </summary>
internal sealed class ActiveActiveResolution(
    LocalRegion region, GeoStore store, StateDeltas deltas, ConflictStore conflicts, ConflictPublisher conflictFeed, HybridLogicalClock clock)
{
    /// <summary>
    /// A version seen already is ignored, a later one stored as it is, and a concurrent one resolved by
    /// <paramref name="policy"/> (<paramref name="mergeStates"/>, given the later state first; none for last-writer-wins)
    /// and stored with the merged vector, in one atomic write with its conflict record, which is then published. A version
    /// that arrived as a delta (<paramref name="deltaBase"/>) is joined into the stored state first; the conflict record
    /// shows the delta as the remote state (<see cref="ConflictVersion.IsDelta"/>). Returns <see langword="false"/>, doing
    /// nothing, when the stored version has not seen the delta's base.
    /// </summary>
    /// <param name="grain">The grain.</param>
    /// <param name="policy">Its conflict policy.</param>
    /// <param name="incoming">The replicated version.</param>
    /// <param name="deltaBase">The vector the delta was taken from, if the version's state is a delta.</param>
    /// <param name="mergeStates">The merge of two serialized states, later first; <see langword="null"/> for last-writer-wins.</param>
    /// <param name="reload">Reads the stored version again into the activation and returns it.</param>
    /// <param name="accept">Hands a version stored here to the activation.</param>
    public async Task<bool> ResolveAsync(
        GrainId grain,
        ConflictPolicy policy,
        GeoRecord incoming,
        VersionVector? deltaBase,
        Func<byte[], byte[], byte[]>? mergeStates,
        Func<Task<StoredGeoRecord?>> reload,
        Action<StoredGeoRecord> accept)
    {
        while (true)
        {
            var current = await reload();
            var order = ActiveActiveVersions.Order(incoming, current?.Record);
            if (order is CausalOrder.Before or CausalOrder.Equal)
            {
                return true;
            }

            var whole = incoming;
            if (deltaBase is not null)
            {
                if (deltas.TryJoin(grain, current?.Record, incoming.State, deltaBase) is not { } joined)
                {
                    return false;
                }

                whole = incoming with { State = joined };
            }

            if (order == CausalOrder.After)
            {
                if (await store.TryCommitAsync(grain, whole, current?.ETag, marker: null) is { } stored)
                {
                    accept(new StoredGeoRecord(whole, stored.Record));
                    return true;
                }

                continue;
            }

            var resolution = ActiveActiveVersions.Resolve(grain, current!.Record, whole, policy, mergeStates, region.Id, clock.Now());
            var conflict = deltaBase is null
                ? resolution.Conflict
                : resolution.Conflict with { Remote = ActiveActiveVersions.ToVersion(incoming) with { IsDelta = true } };

            // The time index's entry is in another partition: durable first, so no committed conflict lacks one.
            await conflicts.IndexAsync(conflict);
            if (await store.TryCommitAsync(grain, resolution.Result, current.ETag, marker: null, conflicts.Write(conflict)) is { } etags)
            {
                accept(new StoredGeoRecord(resolution.Result, etags.Record));
                conflictFeed.Publish(conflict);
                return true;
            }
        }
    }
}
