using GeoGrains.Runtime.Ownership;

namespace GeoGrains.Simulation;

/// <summary>
/// Mirrors <c>OwnershipCache</c> (src/GeoGrains.Runtime/Ownership/OwnershipCache.cs), the silo's copy of the region's
/// directory, as it is once refreshed: <see cref="Resolve"/> ↔ <c>ResolveAsync</c> (the grain's override, the higher
/// epoch of the directory's and of what this silo merged itself, else the home partition; then the configuration's
/// tenures, as <c>Agreed</c> does with <c>FailoverState.Configuration</c>), <see cref="Merge"/> ↔ <c>Merge</c> (what the
/// hand-off and the promotion's re-route fence the silo with, before or without the directory). Left out: the refresh
/// lag (the real copy takes the directory's changes every second; here the directory's own memory answers at once), and partition entries (no partition is ever moved: regions' grains move by tenures).
/// A restart loses what was merged, as a silo's restart loses its copy.
/// </summary>
internal sealed class SimOwnershipCache(SimNode node, SimSilo silo)
{
    private readonly Dictionary<int, GrainOwnership> _merged = [];

    // The directory's answer per grain and the directory position it was given at: asked again only once the directory
    // has moved on (the invariants resolve every grain in every region after every event).
    private readonly Dictionary<int, (long At, GrainOwnership? Ownership)> _answers = [];

    /// <summary>The directory's answer for <paramref name="grain"/>, before the configuration's tenures.</summary>
    public GrainOwnership Directory(SimGrain grain)
    {
        var at = node.Directory.Changes;
        if (!_answers.TryGetValue(grain.Index, out var answer) || answer.At != at)
        {
            var lookup = node.Directory.Directory.LookupAsync(grain.Id);
            if (!lookup.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException($"The directory's lookup of {grain} did not complete at once; MemoryRegionTable answers synchronously.");
            }

            _answers[grain.Index] = answer = (at, lookup.Result.Ownership);
        }

        var known = answer.Ownership;
        if (_merged.TryGetValue(grain.Index, out var mine) && (known is null || mine.Epoch > known.Epoch))
        {
            known = mine;
        }

        return known ?? new GrainOwnership(grain.Home, OwnershipTable.InitialEpoch);
    }

    public GrainOwnership Resolve(SimGrain grain) => silo.Failover.Configuration.Resolve(Directory(grain), grain.Partition);

    public void Merge(SimGrain grain, OwnershipTable changes)
    {
        if (changes.Grains.TryGetValue(grain.Id.ToString(), out var ownership)
            && (!_merged.TryGetValue(grain.Index, out var mine) || ownership.Epoch > mine.Epoch))
        {
            _merged[grain.Index] = ownership;
        }
    }
}
