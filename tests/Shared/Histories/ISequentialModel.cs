namespace GeoGrains.Tests.Histories;

/// <summary>
/// The sequential specification a history is checked against: what one object does when its operations run one at a
/// time. States must be immutable values (the checker keeps and compares them).
/// </summary>
public interface ISequentialModel<TState>
{
    /// <summary>The state before any operation.</summary>
    TState Init();

    /// <summary>
    /// Applies <paramref name="operation"/> to <paramref name="state"/>: whether its output is possible there, and the
    /// state after it. Throws <see cref="InvalidDataException"/> for an operation the model does not know.
    /// </summary>
    (bool Legal, TState Next) Step(TState state, HistoryOperation operation);

    /// <summary>When two states are the same, so that the search does not explore one twice.</summary>
    IEqualityComparer<TState> StateComparer => EqualityComparer<TState>.Default;

    /// <summary>
    /// Whether the operation never changes the state. An Unknown read-only operation constrains nothing (its output
    /// is unknown), so the checker drops it.
    /// </summary>
    bool IsReadOnly(HistoryOperation operation) => false;

    /// <summary>
    /// Whether an Unknown operation can be left out because no successful operation of <paramref name="keyOperations"/>
    /// can have seen its effect: any linearization that includes it stays legal without it. Each such operation would
    /// otherwise double the states the search may visit.
    /// </summary>
    bool IsUnobserved(HistoryOperation unknown, IReadOnlyList<HistoryOperation> keyOperations) => false;

    /// <summary>The state as explanations show it.</summary>
    string Describe(TState state) => state?.ToString() ?? "null";
}
