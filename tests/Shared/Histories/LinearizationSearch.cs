using GeoGrains.Runtime.Replication;
using System.Text;

namespace GeoGrains.Tests.Histories;

/// <summary>
/// Wing &amp; Gong's search with Lowe's memoization, as Porcupine does it, for one key: the invoke and complete events
/// in time order form a doubly linked list; the search repeatedly takes an operation whose invoke comes before the
/// first remaining complete (it may take effect now), applies it to the model, and unlinks both its events; when no
/// operation fits, it backtracks. Pairs (linearized set, state) already visited are never explored again.
/// </summary>
internal sealed class LinearizationSearch<TState>
{
    private const int None = -1;

    // Explanations list a long history only around its failure; the artifact has all of it.
    private const int ListedOperations = 60;
    private const int ListedOrder = 30;

    private readonly ISequentialModel<TState> _model;
    private readonly HistoryOperation[] _operations;
    private readonly ulong[] _zobrist;

    // The event list: entries 0..n-1 in time order, then the head sentinel.
    private readonly int[] _operationOf;
    private readonly bool[] _isInvoke;
    private readonly int[] _completeOf;
    private readonly int[] _next;
    private readonly int[] _previous;
    private readonly int _head;

    private LinearizationSearch(ISequentialModel<TState> model, HistoryOperation[] operations)
    {
        _model = model;
        _operations = operations;

        var events = new List<(long Time, bool IsInvoke, int Operation)>();
        for (var i = 0; i < operations.Length; i++)
        {
            events.Add((operations[i].InvokeTime, true, i));
            // An unknown operation completes at +∞: it has no complete event, so it never forces anything to happen.
            if (operations[i].Status == OperationStatus.Ok)
            {
                events.Add((operations[i].CompleteTime!.Value, false, i));
            }
        }

        // At equal times an invoke goes first: the clock cannot order the two, so they count as concurrent.
        events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time)
            : a.IsInvoke != b.IsInvoke ? (a.IsInvoke ? -1 : 1)
            : a.Operation.CompareTo(b.Operation));

        var count = events.Count;
        _head = count;
        _operationOf = new int[count];
        _isInvoke = new bool[count];
        _completeOf = new int[count];
        _next = new int[count + 1];
        _previous = new int[count + 1];
        var invokeEntry = new int[operations.Length];
        for (var e = 0; e < count; e++)
        {
            _operationOf[e] = events[e].Operation;
            _isInvoke[e] = events[e].IsInvoke;
            _completeOf[e] = None;
            if (events[e].IsInvoke)
            {
                invokeEntry[events[e].Operation] = e;
            }
            else
            {
                _completeOf[invokeEntry[events[e].Operation]] = e;
            }

            _next[e] = e + 1 < count ? e + 1 : None;
            _previous[e] = e == 0 ? _head : e - 1;
        }

        _next[_head] = count > 0 ? 0 : None;
        _previous[_head] = None;

        // Zobrist hashing: the linearized set's hash changes by one XOR per step instead of being recomputed.
        _zobrist = new ulong[operations.Length];
        var seed = 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < _zobrist.Length; i++)
        {
            seed += 0x9E3779B97F4A7C15UL;
            var z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            _zobrist[i] = z ^ (z >> 31);
        }
    }

    public static KeyCheckResult Run(
        string key, IReadOnlyList<HistoryOperation> keyOperations, ISequentialModel<TState> model, long maxStates, CancellationToken cancellationToken)
    {
        // Failed operations did not happen; an unknown read-only one neither changes the state nor has an output to check,
        // and an unknown one nobody can have seen changes nothing that is checked.
        var operations = keyOperations
            .Where(o => o.Status == OperationStatus.Ok || (o.Status == OperationStatus.Unknown && !model.IsReadOnly(o) && !model.IsUnobserved(o, keyOperations)))
            .ToArray();
        return new LinearizationSearch<TState>(model, operations).Search(key, keyOperations, maxStates, cancellationToken);
    }

    private KeyCheckResult Search(string key, IReadOnlyList<HistoryOperation> keyOperations, long maxStates, CancellationToken cancellationToken)
    {
        var states = _model.StateComparer;
        var visited = new HashSet<Visit>(new VisitComparer(states));
        var linearized = new ulong[(_operations.Length + 63) / 64];
        var linearizedHash = 0UL;
        var stack = new List<(int Entry, TState Before)>();
        var state = _model.Init();
        var okRemaining = _operations.Count(o => o.Status == OperationStatus.Ok);
        var deepest = Array.Empty<int>();
        var deepestState = state;
        long explored = 0;
        long steps = 0;

        var entry = _next[_head];
        while (okRemaining > 0)
        {
            if (explored >= maxStates)
            {
                return Inconclusive($"the search visited its budget of {maxStates:N0} states");
            }

            if ((++steps & 1023) == 0 && cancellationToken.IsCancellationRequested)
            {
                return Inconclusive($"the search was cancelled or timed out after {explored:N0} states");
            }

            if (entry == None || !_isInvoke[entry])
            {
                // The first remaining complete event: its operation had to take effect before it, and none could.
                if (stack.Count == 0)
                {
                    return Result(CheckOutcome.NotLinearizable, Refutation(deepest, deepestState, keyOperations), deepest);
                }

                var (undone, before) = stack[^1];
                stack.RemoveAt(stack.Count - 1);
                var operation = _operationOf[undone];
                state = before;
                Toggle(linearized, ref linearizedHash, operation);
                if (_operations[operation].Status == OperationStatus.Ok)
                {
                    okRemaining++;
                }

                Relink(undone);
                entry = _next[undone];
                continue;
            }

            var candidate = _operationOf[entry];
            var (legal, after) = _model.Step(state, _operations[candidate]);
            if (legal)
            {
                Toggle(linearized, ref linearizedHash, candidate);
                var visit = new Visit(linearized, after, HashCode.Combine(linearizedHash, after is null ? 0 : states.GetHashCode(after)));
                if (!visited.Contains(visit))
                {
                    visited.Add(visit with { Linearized = (ulong[])linearized.Clone() });
                    explored++;
                    stack.Add((entry, state));
                    state = after;
                    if (_operations[candidate].Status == OperationStatus.Ok)
                    {
                        okRemaining--;
                    }

                    Unlink(entry);
                    if (stack.Count > deepest.Length)
                    {
                        deepest = stack.Select(s => _operationOf[s.Entry]).ToArray();
                        deepestState = state;
                    }

                    entry = _next[_head];
                    continue;
                }

                Toggle(linearized, ref linearizedHash, candidate);
            }

            entry = _next[entry];
        }

        var order = stack.Select(s => _operationOf[s.Entry]).ToArray();
        return Result(CheckOutcome.Linearizable, "", order);

        KeyCheckResult Inconclusive(string why)
        {
            var text = new StringBuilder().AppendLine($"Undecided: {why}.");
            AppendOrder(text, deepest, deepestState);
            return Result(CheckOutcome.Inconclusive, text.ToString(), deepest);
        }

        KeyCheckResult Result(CheckOutcome outcome, string detail, int[] order)
        {
            var failed = keyOperations.Count(o => o.Status == OperationStatus.Fail);
            var unknown = keyOperations.Count(o => o.Status == OperationStatus.Unknown);
            var verdict = outcome switch
            {
                CheckOutcome.Linearizable => "linearizable",
                CheckOutcome.NotLinearizable => "NOT LINEARIZABLE",
                _ => "INCONCLUSIVE",
            };
            var text = new StringBuilder()
                .AppendLine($"Key \"{key}\": {verdict} ({keyOperations.Count} operations: {keyOperations.Count - failed - unknown} ok, "
                    + $"{failed} failed and ignored, {unknown} unknown; {explored:N0} states explored).")
                .Append(detail);
            if (outcome != CheckOutcome.Linearizable && keyOperations.Count <= ListedOperations)
            {
                text.AppendLine("The key's operations in invoke order:");
                AppendNumbered(text, keyOperations.OrderBy(o => o.InvokeTime));
            }
            else if (outcome != CheckOutcome.Linearizable)
            {
                text.AppendLine($"All {keyOperations.Count} operations of the key are in its JSON lines artifact.");
            }

            return new KeyCheckResult(key, outcome, keyOperations, order.Select(i => _operations[i]).ToArray(), explored, text.ToString());
        }
    }

    /// <summary>Why no order exists, told from the deepest point the search reached.</summary>
    private string Refutation(int[] deepest, TState deepestState, IReadOnlyList<HistoryOperation> keyOperations)
    {
        var text = new StringBuilder();
        AppendOrder(text, deepest, deepestState);

        var placed = deepest.ToHashSet();
        var remaining = Enumerable.Range(0, _operations.Length).Where(i => !placed.Contains(i)).Select(i => _operations[i]).ToArray();
        var due = remaining.Where(o => o.Status == OperationStatus.Ok).MinBy(o => o.CompleteTime);
        if (due is null)
        {
            return text.ToString();
        }

        text.AppendLine($"Next, {due} must take effect before it completes at {due.CompleteTime}, but no operation can come next:");
        var candidates = remaining.Where(o => o.InvokeTime <= due.CompleteTime).ToArray();
        foreach (var candidate in candidates)
        {
            var (legal, _) = _model.Step(deepestState, candidate);
            text.AppendLine(legal
                ? $"  {candidate}: possible here, but no order continuing with it works"
                : $"  {candidate}: impossible in state {_model.Describe(deepestState)}");
        }

        if (keyOperations.Count > ListedOperations)
        {
            // A long history is listed only around the failure: everything in flight while the candidates were.
            var from = candidates.Min(o => o.InvokeTime);
            text.AppendLine($"The key's operations in flight between {from} and {due.CompleteTime}, failed ones included:");
            var open = remaining.Where(o => o.Status == OperationStatus.Unknown).ToHashSet(ReferenceEqualityComparer.Instance);
            AppendNumbered(text, keyOperations
                .Where(o => o.InvokeTime <= due.CompleteTime
                    && (o.InvokeTime >= from || (o.Status == OperationStatus.Unknown ? open.Contains(o) : o.CompleteTime >= from)))
                .OrderBy(o => o.InvokeTime));
        }

        return text.ToString();
    }

    private void AppendOrder(StringBuilder text, int[] order, TState state)
    {
        text.AppendLine($"Longest legal order found ({order.Length} of {_operations.Length} operations), state after it: {_model.Describe(state)}:");
        if (order.Length > ListedOrder)
        {
            text.AppendLine($"  ({order.Length - ListedOrder} earlier operations)");
        }

        AppendNumbered(text, order.Skip(Math.Max(0, order.Length - ListedOrder)).Select(i => _operations[i]), Math.Max(0, order.Length - ListedOrder));
    }

    private static void AppendNumbered(StringBuilder text, IEnumerable<HistoryOperation> operations, int skipped = 0)
    {
        var number = skipped;
        foreach (var operation in operations)
        {
            text.AppendLine($"  {++number,4}. {operation}");
        }
    }

    private void Toggle(ulong[] set, ref ulong hash, int operation)
    {
        set[operation >> 6] ^= 1UL << (operation & 63);
        hash ^= _zobrist[operation];
    }

    // Dancing links: an operation's two events leave the list, and come back in exactly the reverse order on backtrack.
    private void Unlink(int invoke)
    {
        Remove(invoke);
        if (_completeOf[invoke] != None)
        {
            Remove(_completeOf[invoke]);
        }
    }

    private void Relink(int invoke)
    {
        if (_completeOf[invoke] != None)
        {
            Restore(_completeOf[invoke]);
        }

        Restore(invoke);
    }

    private void Remove(int e)
    {
        _next[_previous[e]] = _next[e];
        if (_next[e] != None)
        {
            _previous[_next[e]] = _previous[e];
        }
    }

    private void Restore(int e)
    {
        if (_next[e] != None)
        {
            _previous[_next[e]] = e;
        }

        _next[_previous[e]] = e;
    }

    private readonly record struct Visit(ulong[] Linearized, TState State, int Hash);

    private sealed class VisitComparer(IEqualityComparer<TState> states) : IEqualityComparer<Visit>
    {
        public bool Equals(Visit x, Visit y) =>
            x.Hash == y.Hash && x.Linearized.AsSpan().SequenceEqual(y.Linearized) && states.Equals(x.State, y.State);

        public int GetHashCode(Visit visit) => visit.Hash;
    }
}
