namespace GeoGrains;

/// <summary>
/// How an active-active geo grain (<see cref="GeoWriters.AnyRegion"/>) resolves two concurrent versions, written in
/// different regions without either having seen the other. Every region resolves the same pair the same way, so all
/// regions end with identical state.
/// </summary>
public enum ConflictPolicy
{
    /// <summary>
    /// The version committed later on the hybrid logical clock wins; on equal clocks the region id (ordinal) breaks the
    /// tie. The losing write is recorded in the conflict feed (<see cref="ConflictRecord"/>). The default.
    /// </summary>
    LastWriterWins,

    /// <summary>
    /// The state is a CRDT (<c>TState : ICrdt&lt;TState&gt;</c>): concurrent versions are joined with
    /// <see cref="Crdts.ICrdt{T}.Merge"/>, so no write is lost. Each merge is recorded in the conflict feed.
    /// </summary>
    Crdt,

    /// <summary>
    /// The grain overrides <c>GeoGrain&lt;TState&gt;.MergeConcurrent</c>; if it throws, the last writer wins and the failure
    /// is recorded in the conflict feed. Each merge is recorded there.
    /// </summary>
    Custom,

    /// <summary>
    /// Not a setting: marks the entries of the conflict feed that come from a single-owner grain's failover, an
    /// orphaned version (acknowledged by a region that failed, never shipped) resolved by the grain's
    /// <c>OnReconcile</c> hook (see <see cref="ReconciliationRecord"/>). A grain declaring it is refused.
    /// </summary>
    Reconcile,
}
