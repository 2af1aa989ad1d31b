
namespace GeoGrains.Tests.Histories;

/// <summary>
/// Checks a history for linearizability against a sequential model, each key on its own (linearizability is
/// compositional, so a history is linearizable exactly when every key's sub-history is). Ok operations must all take
/// effect between their invoke and complete; failed ones never do; unknown ones may take effect any time after their
/// invoke, or never.
/// </summary>
public static class LinearizabilityChecker
{
    /// <summary>Checks every key of <paramref name="history"/> against <paramref name="model"/>; throws <see cref="InvalidDataException"/> for a malformed operation.</summary>
    public static CheckResult Check<TState>(
        IEnumerable<HistoryOperation> history, ISequentialModel<TState> model, CheckOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(model);
        options ??= new CheckOptions();
        if (options.MaxStatesPerKey <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxStatesPerKey, "MaxStatesPerKey must be positive.");
        }

        var operations = history.ToArray();
        foreach (var operation in operations)
        {
            operation.Validate();
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Timeout is { } timeout)
        {
            budget.CancelAfter(timeout);
        }

        var keys = operations
            .GroupBy(o => o.Key, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => LinearizationSearch<TState>.Run(g.Key, g.ToArray(), model, options.MaxStatesPerKey, budget.Token))
            .ToArray();
        return new CheckResult(keys);
    }

    /// <summary>Checks <paramref name="history"/> as read/write registers that start out never written.</summary>
    public static CheckResult CheckRegisters(IEnumerable<HistoryOperation> history, CheckOptions? options = null, CancellationToken cancellationToken = default) =>
        Check(history, new RegisterModel(), options, cancellationToken);
}
