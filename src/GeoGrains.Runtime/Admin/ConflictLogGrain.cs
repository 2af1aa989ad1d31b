using GeoGrains.Runtime.ActiveActive;
using GeoGrains.Runtime.Reconciliation;
using Orleans.Concurrency;

namespace GeoGrains.Runtime.Admin;

/// <summary>The records of the conflict feed this region keeps (conflicts and reconciliations), for the admin grain of another region. Use key 0.</summary>
internal interface IConflictLogGrain : IGrainWithIntegerKey
{
    /// <summary>The conflicts this region's storage holds for <paramref name="grain"/>.</summary>
    [ReadOnly]
    Task<IReadOnlyList<ConflictRecord>> List(GrainId grain);

    /// <summary>The reconciliation records this region's storage holds for <paramref name="grain"/>, oldest orphan first.</summary>
    [ReadOnly]
    Task<IReadOnlyList<ReconciliationRecord>> ListReconciliations(GrainId grain);

    /// <summary>At most <paramref name="limit"/> records (conflicts and reconciliations) this region resolved within [<paramref name="from"/>, <paramref name="to"/>), oldest first.</summary>
    [ReadOnly]
    Task<IReadOnlyList<ConflictRecord>> ListBetween(DateTimeOffset from, DateTimeOffset to, int limit);
}

/// <summary>Reads the region's conflict and reconciliation records; local to each silo.</summary>
[StatelessWorker]
internal sealed class ConflictLogGrain(ConflictStore conflicts, ReconciliationStore reconciliations, ConflictFeedQuery feed) : Grain, IConflictLogGrain
{
    public Task<IReadOnlyList<ConflictRecord>> List(GrainId grain) => conflicts.ListAsync(grain);

    public Task<IReadOnlyList<ReconciliationRecord>> ListReconciliations(GrainId grain) => reconciliations.ListAsync(grain);

    public Task<IReadOnlyList<ConflictRecord>> ListBetween(DateTimeOffset from, DateTimeOffset to, int limit) => feed.ListAsync(from, to, limit);
}
