namespace GeoGrains.Tests.Histories;

/// <summary>
/// Histories of a simulated register that is linearizable by construction (each operation takes effect at a random
/// point inside its interval) must pass; the same histories with one stale read injected must not.
/// </summary>
public sealed class SimulatedHistoryTests
{
    /// <summary>
    /// Runs <paramref name="processes"/> clients against one register per key. Writes fail (and do not happen) or end
    /// unknown (and happen or not) now and then; unknown reads have no output.
    /// </summary>
    private static List<HistoryOperation> Simulate(Random random, string[] keys, int processes, int operationsEach, int maxGap, int maxDuration)
    {
        var planned = new List<(HistoryOperation Operation, long EffectTime, bool TakesEffect)>();
        for (var p = 0; p < processes; p++)
        {
            long time = random.Next(maxGap + 1);
            for (var i = 0; i < operationsEach; i++)
            {
                var key = keys[random.Next(keys.Length)];
                var complete = time + 1 + random.Next(maxDuration);
                var effect = time + random.NextInt64(complete - time + 1);
                var roll = random.Next(10);
                var operation = random.Next(2) == 0
                    ? roll switch
                    {
                        0 => new HistoryOperation($"p{p}", key, "write", $"p{p}-{i}", null, time, complete, OperationStatus.Fail),
                        1 => new HistoryOperation($"p{p}", key, "write", $"p{p}-{i}", null, time, null, OperationStatus.Unknown),
                        _ => new HistoryOperation($"p{p}", key, "write", $"p{p}-{i}", null, time, complete, OperationStatus.Ok),
                    }
                    : new HistoryOperation($"p{p}", key, "read", null, null, time, roll == 0 ? null : complete,
                        roll == 0 ? OperationStatus.Unknown : OperationStatus.Ok);
                var takesEffect = operation.Status == OperationStatus.Ok || (operation.Status == OperationStatus.Unknown && random.Next(2) == 0);
                planned.Add((operation, effect, takesEffect));
                time = complete + random.Next(maxGap + 1);
            }
        }

        // Apply the operations in effect order; a read returns what the register holds at its effect time.
        var registers = new Dictionary<string, string?>();
        var history = new List<HistoryOperation>();
        foreach (var (operation, _, takesEffect) in planned.OrderBy(p => p.EffectTime))
        {
            var current = registers.GetValueOrDefault(operation.Key);
            if (takesEffect && operation.Name == "write")
            {
                registers[operation.Key] = operation.Input;
            }

            history.Add(operation.Name == "read" && operation.Status == OperationStatus.Ok ? operation with { Output = current } : operation);
        }

        return history.OrderBy(o => o.InvokeTime).ToList();
    }

    /// <summary>Makes one read return a value that a write which completed before the read began had already overwritten.</summary>
    private static HistoryOperation InjectStaleRead(List<HistoryOperation> history)
    {
        var writes = history.Where(o => o is { Name: "write", Status: OperationStatus.Ok }).ToArray();
        foreach (var read in history.Where(o => o is { Name: "read", Status: OperationStatus.Ok }))
        {
            var overwriting = writes.Where(w => w.Key == read.Key && w.CompleteTime < read.InvokeTime).MaxBy(w => w.CompleteTime);
            var overwritten = overwriting is null ? null
                : writes.FirstOrDefault(w => w.Key == read.Key && w.CompleteTime < overwriting.InvokeTime && w.Input != read.Output);
            if (overwritten is not null)
            {
                var stale = read with { Output = overwritten.Input };
                history[history.IndexOf(read)] = stale;
                return stale;
            }
        }

        throw new InvalidOperationException("The simulated history has no read that a stale value could be injected into.");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Histories_of_a_linearizable_register_pass_and_one_stale_read_is_caught_in_its_key(int seed)
    {
        var random = new Random(seed);
        string[] keys = ["a", "b", "c"];
        var history = Simulate(random, keys, processes: 6, operationsEach: 150, maxGap: 20, maxDuration: 60);
        Assert.All(keys, key => Assert.True(history.Count(o => o.Key == key) >= 200));

        var result = LinearizabilityChecker.CheckRegisters(history);
        Assert.True(result.IsLinearizable, result.Explain());
        Assert.Equal(keys, result.Keys.Select(k => k.Key));

        var stale = InjectStaleRead(history);
        var injected = LinearizabilityChecker.CheckRegisters(history);
        Assert.Equal(CheckOutcome.NotLinearizable, injected.Outcome);
        Assert.Equal([stale.Key], injected.Failures.Select(f => f.Key));
    }

    [Fact]
    public void A_long_mostly_concurrent_history_on_one_key_is_decided_within_the_default_budget()
    {
        var random = new Random(42);
        var history = Simulate(random, ["hot"], processes: 10, operationsEach: 200, maxGap: 3, maxDuration: 80);

        var result = LinearizabilityChecker.CheckRegisters(history);
        Assert.Equal(CheckOutcome.Linearizable, result.Outcome);
        Assert.Equal(2_000, result.For("hot").Operations.Count);

        // Placing 2,000 operations takes more steps than the search runs between looks at its token.
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var stopped = LinearizabilityChecker.CheckRegisters(history, cancellationToken: cancelled.Token);
        Assert.Equal(CheckOutcome.Inconclusive, stopped.Outcome);
        Assert.Contains("cancelled or timed out", stopped.Explain());

        InjectStaleRead(history);
        Assert.Equal(CheckOutcome.NotLinearizable, LinearizabilityChecker.CheckRegisters(history).Outcome);
    }
}
