namespace GeoGrains.Simulation;

/// <summary>An invariant did not hold: names the seed to replay, the step (event number) it broke at, and the trace tail.</summary>
internal sealed class SimulationViolationException(int seed, long step, TimeSpan at, string violation, string tail)
    : Exception($"Seed {seed}, step {step}, at {at.TotalSeconds:F4}s: {violation}{Environment.NewLine}Trace tail:{Environment.NewLine}{tail}")
{
    public int Seed { get; } = seed;

    public long Step { get; } = step;

    public string Violation { get; } = violation;
}
