namespace GeoGrains.Tests.Histories;

/// <summary>What the checker concluded about a key or a whole history.</summary>
public enum CheckOutcome
{
    /// <summary>Some order of the operations, each placed between its invoke and complete, obeys the model.</summary>
    Linearizable,

    /// <summary>No such order exists: the history shows a consistency violation.</summary>
    NotLinearizable,

    /// <summary>The search ran out of budget (states, time or cancellation) before it could decide.</summary>
    Inconclusive,
}
