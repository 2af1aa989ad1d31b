
namespace GeoGrains.Simulation;

/// <summary>The entry point: one schedule, drawn from a seed.</summary>
internal static class Simulation
{
    /// <summary>Nemesis steps per schedule in the tests.</summary>
    public const int DefaultSteps = 10;

    /// <summary>
    /// Runs the schedule of <paramref name="seed"/> with <paramref name="steps"/> nemesis faults: a pure function of its
    /// inputs (same seed, same steps, same options: the same events in the same order, the same trace, the same result).
    /// </summary>
    /// <exception cref="SimulationViolationException">An invariant broke.</exception>
    public static SimulationResult Simulate(int seed, int steps = DefaultSteps, SimulationOptions? options = null)
    {
        // Everything runs on this thread; regions' code runs in their own SimRegionContext, nothing else in any.
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            return new SimWorld(seed, options ?? SimulationOptions.Default).Run(steps);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }
}
