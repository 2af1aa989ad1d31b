namespace GeoGrains.Simulation;

/// <summary>
/// One client operation of a Jepsen-style history: which process invoked what (a write of <see cref="Value"/> to a grain,
/// at a region, with a durability), when (simulated time), and how it completed.
/// </summary>
internal sealed class HistoryOperation(int index, int process, SimGrain grain, string value, SimDurability durability, RegionId region, TimeSpan invokedAt)
{
    public int Index { get; } = index;

    public int Process { get; } = process;

    public SimGrain Grain { get; } = grain;

    public string Value { get; } = value;

    public SimDurability Durability { get; } = durability;

    public RegionId Region { get; } = region;

    public TimeSpan InvokedAt { get; } = invokedAt;

    public TimeSpan? CompletedAt { get; private set; }

    public OutcomeType Type { get; private set; } = OutcomeType.Pending;

    public WriteOutcome? Outcome { get; private set; }

    /// <summary>Completes the operation once; returns false if it had completed already (a late answer after the client gave up).</summary>
    public bool Complete(WriteOutcome outcome, TimeSpan at)
    {
        if (Type != OutcomeType.Pending)
        {
            return false;
        }

        Type = outcome.Type;
        Outcome = outcome;
        CompletedAt = at;
        return true;
    }

    public override string ToString() =>
        $"op {Index} p{Process} write {Value} to {Grain} at {Region} {Durability} invoked {InvokedAt.TotalSeconds:F4}s → " +
        (CompletedAt is { } done ? $"{Type} at {done.TotalSeconds:F4}s: {Outcome?.Detail}" : "pending");
}
