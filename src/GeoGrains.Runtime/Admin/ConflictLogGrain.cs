using GeoGrains.Runtime.ActiveActive;
using GeoGrains.Runtime.Admin;
using Orleans.Concurrency;

namespace GeoGrains.Runtime.Admin;

/// <summary>The conflict records this region keeps, for the admin grain of another region. Use key 0.</summary>
internal interface IConflictLogGrain : IGrainWithIntegerKey
{
    /// <summary>The conflicts this region's storage holds for <paramref name="grain"/>.</summary>
    [ReadOnly]
    Task<IReadOnlyList<ConflictRecord>> List(GrainId grain);

    /// <summary>At most <paramref name="limit"/> records (conflicts and reconciliations) this region resolved within [<paramref name="from"/>, <paramref name="to"/>), oldest first.</summary>
    [ReadOnly]
    Task<IReadOnlyList<ConflictRecord>> ListBetween(DateTimeOffset from, DateTimeOffset to, int limit);
}

/// <summary>Reads the region's conflict records; local to each silo.</summary>
[StatelessWorker]
internal sealed class ConflictLogGrain(ConflictStore store, ConflictFeedQuery feed) : Grain, IConflictLogGrain
{
    public Task<IReadOnlyList<ConflictRecord>> List(GrainId grain) => store.ListAsync(grain);

    public Task<IReadOnlyList<ConflictRecord>> ListBetween(DateTimeOffset from, DateTimeOffset to, int limit) => feed.ListAsync(from, to, limit);
}
