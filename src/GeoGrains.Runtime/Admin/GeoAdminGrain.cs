using GeoGrains.Runtime.ActiveActive;
using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Reconciliation;
using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using Orleans.Metadata;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Admin;

/// <summary>Answers ownership questions and coordinates planned moves, from whichever region it is asked in.</summary>
[StatelessWorker]
internal sealed class GeoAdminGrain(GeoTopology topology, IRegionLinks links, GrainClassMap classes, FailoverState failover) : Grain, IGeoAdminGrain
{
    private const int MaxAttempts = 3;

    public async Task<GrainOwnership> GetOwner(GrainId grain)
    {
        EnsureGeoGrain(grain);
        return (await GrainFactory.GetGrain<IGeoGrainControl>(grain).GetGeoStatus()).Ownership;
    }

    public async Task<GrainOwnership> Rehome(GrainId grain, RegionId newRegion)
    {
        _ = topology[newRegion];
        EnsureGeoGrain(grain);
        if (failover.Configuration.IsAway(newRegion))
        {
            throw new RegionUnreachableException(links.LocalRegion, newRegion, "the regions took its grains over after it failed; it takes no grains until it returns.");
        }

        var owner = (await GrainFactory.GetGrain<IGeoGrainControl>(grain).GetGeoStatus()).Ownership;
        for (var attempt = 1; ; attempt++)
        {
            if (owner.Owner == newRegion)
            {
                return owner;
            }

            try
            {
                return await links.InvokeAsync(owner.Owner, grains => grains.GetGrain<IGeoGrainControl>(grain).HandOff(newRegion));
            }
            catch (OwnershipMovedException moved) when (attempt < MaxAttempts && moved.Current.Epoch >= owner.Epoch)
            {
                // This region's directory was behind: ask the region that the asked one names.
                owner = moved.Current;
            }
        }
    }

    public Task DrainRegion(RegionId region)
    {
        _ = topology[region];
        return GrainFactory.GetGrain<IRegionHealthPeer>(0).ChangeTenure(region, away: true);
    }

    public Task RestoreRegion(RegionId region)
    {
        _ = topology[region];
        return GrainFactory.GetGrain<IRegionHealthPeer>(0).ChangeTenure(region, away: false);
    }

    private bool IsActiveActive(GrainId grain) =>
        classes.TryGetGrainClass(grain.Type, out var grainClass) && GeoGrainRegistration.AttributeOf(grainClass).Writers == GeoWriters.AnyRegion;

    private void EnsureGeoGrain(GrainId grain)
    {
        if (!classes.TryGetGrainClass(grain.Type, out var grainClass))
        {
            throw new GeoGrainNotRegisteredException(grain.Type.ToString(), "no grain class of that type is known to this silo.");
        }

        if (!typeof(IGeoGrainControl).IsAssignableFrom(grainClass))
        {
            throw new GeoGrainNotRegisteredException(grainClass.FullName ?? grainClass.Name, "it does not derive from GeoGrain<TState>.");
        }

        _ = GeoGrainRegistration.AttributeOf(grainClass);
    }

    public async Task<IReadOnlyList<ReconciliationRecord>> GetReconciliations(GrainId grain)
    {
        EnsureGeoGrain(grain);

        // A record stays in the region that made it, and the grain may have moved on since (failback, a later move): ask
        // every region, one partition read each. Only the owner's answer is required; another region that does not
        // answer is left out (its records come back with it).
        var owner = (await GrainFactory.GetGrain<IGeoGrainControl>(grain).GetGeoStatus()).Ownership.Owner;
        var answers = await AskEveryRegionAsync(
            () => ServiceProvider.GetRequiredService<Reconciliation.ReconciliationStore>().ListAsync(grain),
            grains => grains.GetGrain<IConflictLogGrain>(0).ListReconciliations(grain),
            required: owner);
        return [.. answers
            .DistinctBy(r => (r.Orphaned.Epoch, r.Orphaned.Version))
            .OrderBy(r => r.Orphaned.Epoch).ThenBy(r => r.Orphaned.Version)];
    }

    public async Task<IReadOnlyList<ConflictRecord>> GetConflicts(GrainId grain)
    {
        EnsureGeoGrain(grain);

        // Each region keeps the conflicts it resolved: ask every region, one partition read each; one that does not
        // answer is left out (its records come back with it). The same conflict resolved in several regions is listed once.
        var answers = await AskEveryRegionAsync(
            () => ServiceProvider.GetRequiredService<ActiveActive.ConflictStore>().ListAsync(grain),
            grains => grains.GetGrain<IConflictLogGrain>(0).List(grain),
            required: null);

        // A single-owner grain's failover reconciliations are entries of the same feed (an active-active grain has none).
        IReadOnlyList<ReconciliationRecord> reconciled = IsActiveActive(grain) ? [] : await GetReconciliations(grain);
        return [.. answers
            .Concat(reconciled.Select(Reconciliation.ReconciliationConflicts.ToConflict))
            .OrderBy(r => r.ResolvedAt).ThenBy(r => r.ResolvedIn.Value, StringComparer.Ordinal)
            .DistinctBy(r => r.Id)];
    }

    public async Task<IReadOnlyList<ConflictRecord>> GetConflicts(GrainId grain, DateTimeOffset from, DateTimeOffset to)
    {
        ConflictFeed.CheckWindow(from, to);
        var (fromMs, toMs) = ConflictIndexKeys.Milliseconds(from, to);
        var conflicts = await GetConflicts(grain);
        return [.. conflicts.Where(r => r.ResolvedAt.PhysicalMilliseconds >= fromMs && r.ResolvedAt.PhysicalMilliseconds < toMs)];
    }

    public async Task<IReadOnlyList<ConflictRecord>> GetConflicts(DateTimeOffset from, DateTimeOffset to, int limit)
    {
        ConflictFeed.CheckQuery(from, to, limit);

        // Each region indexes what it resolved by time and answers its oldest `limit` in the window: a record among the
        // oldest `limit` distinct ones overall is among the oldest `limit` of any region that holds it, so merging
        // those answers and keeping each conflict once (the same one may be resolved in several regions) is exact.
        var answers = await AskEveryRegionAsync(
            () => ServiceProvider.GetRequiredService<ConflictFeedQuery>().ListAsync(from, to, limit),
            grains => grains.GetGrain<IConflictLogGrain>(0).ListBetween(from, to, limit),
            required: null);
        return [.. answers
            .OrderBy(r => r.ResolvedAt).ThenBy(r => r.ResolvedIn.Value, StringComparer.Ordinal)
            .DistinctBy(r => (r.Grain, r.Id))
            .Take(limit)];
    }

    /// <summary>
    /// Lists what every region keeps (here from <paramref name="local"/>, elsewhere through the links with
    /// <paramref name="remote"/>), one answer each, concatenated. A region that does not answer is left out, unless it is
    /// <paramref name="required"/>.
    /// </summary>
    private async Task<IEnumerable<T>> AskEveryRegionAsync<T>(
        Func<Task<IReadOnlyList<T>>> local, Func<IGrainFactory, Task<IReadOnlyList<T>>> remote, RegionId? required)
    {
        var answers = await Task.WhenAll(topology.RegionIds.Select(async region =>
        {
            try
            {
                return region == links.LocalRegion ? await local() : await links.InvokeAsync(region, remote);
            }
            catch (RegionUnreachableException) when (region != required)
            {
                return [];
            }
        }));
        return answers.SelectMany(a => a);
    }
}
