
namespace GeoGrains.Simulation;

/// <summary>
/// The synchronization context of one incarnation of one region: every continuation the real classes post while running
/// in it is queued on the <see cref="Simulator"/> at the current time, and runs in it again. A crash kills the context,
/// so nothing the dead incarnation was waiting for ever runs (as when a process dies), while its storage stays.
/// </summary>
internal sealed class SimRegionContext(Simulator simulator, string name) : SynchronizationContext
{
    public string Name { get; } = name;

    public bool Dead { get; private set; }

    public void Kill() => Dead = true;

    public override void Post(SendOrPostCallback d, object? state)
    {
        if (!Dead)
        {
            simulator.At(simulator.Now, () => Run(() => d(state)));
        }
    }

    public override void Send(SendOrPostCallback d, object? state) => Run(() => d(state));

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs <paramref name="action"/> as code of this incarnation (its awaits come back here); nothing once dead.</summary>
    public void Run(Action action)
    {
        if (Dead)
        {
            return;
        }

        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            action();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
