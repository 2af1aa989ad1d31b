using System.Diagnostics;
using Xunit.Abstractions;

namespace GeoGrains.Simulation;

/// <summary>
/// The simulation's tests. While issue 16 (an acknowledged Sync/SemiSync write lost to a takeover) is not fixed, the
/// schedule explorer tolerates that violation only (<see cref="Issue16Unfixed"/>) and
/// <see cref="Seed_that_found_the_sync_loss_still_finds_it_in_the_unfixed_protocol"/> shows it is found; once the fix
/// is merged, set <see cref="Issue16Unfixed"/> to false and flip that test (see its comment).
/// </summary>
public sealed class SimulationTests(ITestOutputHelper output)
{
    /// <summary>
    /// Whether the protocol still has issue 16. The fix on main makes every violation a failure: set this to false.
    /// </summary>
    private const bool Issue16Unfixed = true;

    /// <summary>The first seed that found issue 16: seeds 0, 1, 2, … explored in order with <see cref="Simulation.DefaultSteps"/> steps, the fourth schedule.</summary>
    internal const int SeedThatFoundSyncLoss = 3;

    private const int ReplaySeed = 7;

    /// <summary>Runs many schedules; fails naming the first seed that broke an invariant.</summary>
    [Fact]
    public void Schedules_break_no_invariant()
    {
        var schedules = int.TryParse(Environment.GetEnvironmentVariable("GEOGRAINS_SIM_SCHEDULES"), out var n) ? n : 1500;
        var first = int.TryParse(Environment.GetEnvironmentVariable("GEOGRAINS_SIM_FIRST_SEED"), out var f) ? f : 0;
        var watch = Stopwatch.StartNew();
        var known = new List<int>();
        for (var seed = first; seed < first + schedules; seed++)
        {
            try
            {
                Simulation.Simulate(seed);
            }
            catch (SimulationViolationException violation) when (Issue16Unfixed && IsSyncLoss(violation))
            {
                known.Add(seed);
                if (known.Count == 1)
                {
                    output.WriteLine($"Issue 16 (tolerated until the fix lands) first found by seed {seed}, after {seed - first + 1} schedules:{Environment.NewLine}{violation.Message}");
                }
            }
            catch (SimulationViolationException violation)
            {
                Assert.Fail($"Schedule {seed - first + 1} of {schedules} broke an invariant. Replay with Simulation.Simulate({seed}).{Environment.NewLine}{violation.Message}");
            }
        }

        output.WriteLine($"{schedules} schedules in {watch.Elapsed.TotalSeconds:F1} s ({schedules / watch.Elapsed.TotalSeconds:F1} per second); issue 16 found by {known.Count}: {string.Join(", ", known.Take(20))}");
    }

    /// <summary>
    /// The seed that found issue 16 still finds it. FLIP after merging the fix: rename to
    /// <c>Seed_that_found_the_sync_loss_keeps_every_acknowledged_write</c> and assert that
    /// <c>Simulation.Simulate(SeedThatFoundSyncLoss)</c> returns (no violation).
    /// </summary>
    [Fact]
    public void Seed_that_found_the_sync_loss_still_finds_it_in_the_unfixed_protocol()
    {
        var violation = Assert.Throws<SimulationViolationException>(() => Simulation.Simulate(SeedThatFoundSyncLoss));
        output.WriteLine(violation.Message);
        Assert.True(IsSyncLoss(violation), violation.Message);
    }

    /// <summary>A seed replays exactly: the same events at the same times, the same trace, the same outcome.</summary>
    [Fact]
    public void A_seed_replays_exactly()
    {
        var first = Outcome(ReplaySeed);
        var second = Outcome(ReplaySeed);
        Assert.Equal(first, second);
        output.WriteLine(first);
    }

    /// <summary>The bug-finding seed also replays exactly (the violation, its step and its trace).</summary>
    [Fact]
    public void The_seed_that_found_the_sync_loss_replays_exactly() =>
        Assert.Equal(Outcome(SeedThatFoundSyncLoss), Outcome(SeedThatFoundSyncLoss));

    private static string Outcome(int seed)
    {
        try
        {
            var result = Simulation.Simulate(seed);
            return $"ok: {result.Steps} events, {result.SimulatedTime}, trace {result.TraceHash:x} ({result.TraceLines} lines), {result.Operations} operations ({result.Ok} ok, {result.Fail} fail, {result.Info} info){Environment.NewLine}{result.Tail}";
        }
        catch (SimulationViolationException violation)
        {
            return violation.Message;
        }
    }

    // Issue 16's family: a write acknowledged as Sync/SemiSync that a newer owner's version does not contain.
    private static bool IsSyncLoss(SimulationViolationException violation) =>
        violation.Violation.StartsWith("(2)", StringComparison.Ordinal) && violation.Violation.Contains("an acknowledged write is not in the grain's lineage", StringComparison.Ordinal);
}
