using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace GeoGrains.Runtime.Links;

/// <summary>
/// Sits on the outgoing side of the client a region uses to reach one other region: delays each request and its
/// reply by the emulated one-way delay, drops them on cut or lossy links, and counts them.
/// </summary>
internal sealed class WanEmulationFilter(RegionId from, RegionId to, WanEmulator emulator, LinkMeter meter, TimeSpan callTimeout)
    : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var grainInterface = context.InterfaceMethod?.DeclaringType;
        await Transmit(from, to, started, grainInterface);

        ExceptionDispatchInfo? failure = null;
        try
        {
            await context.Invoke();
        }
        catch (Exception exception)
        {
            // An error reply crosses the network like any other reply.
            failure = ExceptionDispatchInfo.Capture(exception);
        }

        await Transmit(to, from, started, grainInterface);
        failure?.Throw();
    }

    private async Task Transmit(RegionId source, RegionId target, long callStarted, Type? grainInterface)
    {
        meter.RecordMessage(source, target, grainInterface);
        var fate = emulator.Send(source, target, grainInterface);
        if (fate.IsDelivered && fate.Delay > TimeSpan.Zero)
        {
            await DelayLine.Shared.Delay(fate.Delay);

            // A link cut while the message was in flight loses it.
            if (emulator.IsCut(source, target))
            {
                fate = MessageFate.Dropped("the link was partitioned while the message was in flight");
            }
        }

        if (!fate.IsDelivered)
        {
            // The caller only learns of a lost message when it gives up waiting for the reply.
            await DelayLine.Shared.Delay(callTimeout - Stopwatch.GetElapsedTime(callStarted));

            throw new RegionUnreachableException(from, to, $"no reply within {callTimeout.TotalMilliseconds:0} ms ({fate.DropReason}).");
        }
    }
}
