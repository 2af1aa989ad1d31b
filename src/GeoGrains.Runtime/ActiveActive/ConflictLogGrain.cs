using Orleans.Concurrency;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>The conflict records this region keeps, for the admin grain of another region. Use key 0.</summary>
internal interface IConflictLogGrain : IGrainWithIntegerKey
{
    /// <summary>The conflicts this region's storage holds for <paramref name="grain"/>.</summary>
    [ReadOnly]
    Task<IReadOnlyList<ConflictRecord>> List(GrainId grain);
}

/// <summary>Reads the region's conflict records; local to each silo.</summary>
[StatelessWorker]
internal sealed class ConflictLogGrain(ConflictStore store) : Grain, IConflictLogGrain
{
    public Task<IReadOnlyList<ConflictRecord>> List(GrainId grain) => store.ListAsync(grain);
}
