namespace GeoGrains.Client.Regions;

/// <summary>Applies <see cref="ClientLinkEmulation"/> to every call a region's Orleans client sends.</summary>
internal sealed class LinkEmulationFilter(RegionId target, ClientLinkEmulation emulation) : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (emulation.CutReason(target) is { } reason)
        {
            throw new RegionNotReachedException(target, $"the emulated link is cut ({reason})");
        }

        var delay = emulation.OneWayDelay(target);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay);
        }

        await context.Invoke();
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay);
        }
    }
}
