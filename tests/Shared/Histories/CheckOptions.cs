namespace GeoGrains.Tests.Histories;

/// <summary>The checker's budget, so that a hard history ends as <see cref="CheckOutcome.Inconclusive"/> instead of hanging.</summary>
public sealed record CheckOptions
{
    /// <summary>
    /// How many distinct (linearized set, state) pairs one key's search may visit; each is remembered, so this also
    /// bounds memory (a pair costs about 100 bytes plus one bit per operation of the key).
    /// </summary>
    public long MaxStatesPerKey { get; init; } = 1_000_000;

    /// <summary>Wall-clock limit for the whole check; null for none.</summary>
    public TimeSpan? Timeout { get; init; }
}
