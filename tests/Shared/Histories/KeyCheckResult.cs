namespace GeoGrains.Tests.Histories;

/// <summary>The verdict on one key's sub-history.</summary>
public sealed class KeyCheckResult
{
    internal KeyCheckResult(
        string key, CheckOutcome outcome, IReadOnlyList<HistoryOperation> operations,
        IReadOnlyList<HistoryOperation> linearization, long statesExplored, string explanation)
    {
        Key = key;
        Outcome = outcome;
        Operations = operations;
        Linearization = linearization;
        StatesExplored = statesExplored;
        Explanation = explanation;
    }

    /// <summary>The key.</summary>
    public string Key { get; }

    /// <summary>Linearizable, not, or undecided.</summary>
    public CheckOutcome Outcome { get; }

    /// <summary>All of the key's operations as given to the checker, failed ones included.</summary>
    public IReadOnlyList<HistoryOperation> Operations { get; }

    /// <summary>
    /// A legal order of the operations that took effect when the key is linearizable; otherwise the longest legal
    /// prefix the search found, which ends where the history goes wrong.
    /// </summary>
    public IReadOnlyList<HistoryOperation> Linearization { get; }

    /// <summary>Distinct (linearized set, state) pairs the search visited.</summary>
    public long StatesExplored { get; }

    /// <summary>A readable account: for a failing key the partial linearization and the operations that could not come next.</summary>
    public string Explanation { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Key}: {Outcome}";
}
