namespace GeoGrains;

/// <summary>
/// An orphaned version of a geo grain and what was done with it. A region that was taken over after it failed may hold
/// versions it acknowledged (<c>Async</c> writes) but never shipped; when it returns, they reach the grain's new owner,
/// whose own versions do not continue from them. The owner hands each such version to the grain's reconcile hook
/// (<c>GeoGrain&lt;TState&gt;.OnReconcile</c>) and keeps this record durably in its region's storage, once per orphaned
/// version; it is published on <see cref="ReconciliationStream"/> and listed by <see cref="IGeoAdminGrain.GetReconciliations"/>.
/// </summary>
/// <param name="Grain">The grain.</param>
/// <param name="Orphaned">The orphaned version: acknowledged by <see cref="Origin"/>, not part of the new owner's history.</param>
/// <param name="Current">The owner's version when the orphan was reconciled: what the hook was given as current.</param>
/// <param name="Outcome">What was done.</param>
/// <param name="Result">With <see cref="ReconciliationOutcome.Merged"/>, the version the hook's state was committed as; else <see langword="null"/>.</param>
/// <param name="Detail">With <see cref="ReconciliationOutcome.HookFailed"/>, <c>"hook failed: "</c> and the exception's message; else empty.</param>
/// <param name="ResolvedIn">The owner region that reconciled it and keeps this record.</param>
/// <param name="ResolvedAt">When it was reconciled, on the owner's hybrid clock.</param>
[GenerateSerializer, Immutable]
public sealed record ReconciliationRecord(
    [property: Id(0)] GrainId Grain,
    [property: Id(1)] GeoGrainVersion Orphaned,
    [property: Id(2)] GeoGrainVersion Current,
    [property: Id(3)] ReconciliationOutcome Outcome,
    [property: Id(4)] GeoGrainVersion? Result,
    [property: Id(5)] string Detail,
    [property: Id(6)] RegionId ResolvedIn,
    [property: Id(7)] HybridTimestamp ResolvedAt)
{
    /// <summary>The region that committed and acknowledged the orphaned version.</summary>
    public RegionId Origin => Orphaned.CommittedIn;
}
