namespace GeoGrains;

/// <summary>How a conflict between two concurrent versions was resolved (see <see cref="ConflictRecord"/>).</summary>
public enum ConflictOutcome
{
    /// <summary>Last writer wins: <see cref="ConflictRecord.Loser"/>'s state was dropped.</summary>
    LastWriterWon,

    /// <summary>The two states were merged (CRDT join or the grain's merge) into <see cref="ConflictRecord.ResultJson"/>.</summary>
    Merged,

    /// <summary>The grain's merge threw: the last writer won instead, and <see cref="ConflictRecord.Detail"/> says why.</summary>
    MergeFailed,

    /// <summary>
    /// A failover's orphaned version (<see cref="ConflictPolicy.Reconcile"/>) met the grain's current state, which the
    /// reconcile hook kept: <see cref="ConflictRecord.Loser"/> is the orphan.
    /// </summary>
    KeptCurrent,
}
