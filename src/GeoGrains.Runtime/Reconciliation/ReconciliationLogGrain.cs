using Orleans.Concurrency;

namespace GeoGrains.Runtime.Reconciliation;

/// <summary>The reconciliation records this region keeps, for the admin grain of another region. Use key 0.</summary>
internal interface IReconciliationLogGrain : IGrainWithIntegerKey
{
    /// <summary>The records this region's storage holds for <paramref name="grain"/>, oldest orphan first.</summary>
    [ReadOnly]
    Task<IReadOnlyList<ReconciliationRecord>> List(GrainId grain);
}

/// <summary>Reads the region's reconciliation records; local to each silo.</summary>
[StatelessWorker]
internal sealed class ReconciliationLogGrain(ReconciliationStore store) : Grain, IReconciliationLogGrain
{
    public Task<IReadOnlyList<ReconciliationRecord>> List(GrainId grain) => store.ListAsync(grain);
}
