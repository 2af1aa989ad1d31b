namespace GeoGrains;

/// <summary>What became of an orphaned version (see <see cref="ReconciliationRecord"/>).</summary>
public enum ReconciliationOutcome
{
    /// <summary>The grain's reconcile hook kept the current state (the default hook does); the orphaned version lives on in the record only.</summary>
    KeptCurrent,

    /// <summary>The hook returned a state, which was committed as a new version (<see cref="ReconciliationRecord.Result"/>) and replicated like any write.</summary>
    Merged,

    /// <summary>The hook threw (or the orphaned state could not be read): the current state was kept; <see cref="ReconciliationRecord.Detail"/> says why.</summary>
    HookFailed,
}
