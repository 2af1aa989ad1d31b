using System.Diagnostics;
using GeoGrains.Runtime.Links;

namespace GeoGrains.Tests.Links;

public sealed class DelayLineTests
{
    [Fact]
    public async Task Never_completes_before_the_delay()
    {
        var delays = new[] { 1, 3, 10, 25, 7, 2 }.Select(ms => TimeSpan.FromMilliseconds(ms)).ToArray();
        var started = Stopwatch.GetTimestamp();

        var elapsed = await Task.WhenAll(delays.Select(async delay =>
        {
            await DelayLine.Shared.Delay(delay);
            return (Delay: delay, Elapsed: Stopwatch.GetElapsedTime(started));
        }));

        Assert.All(elapsed, e => Assert.True(e.Elapsed >= e.Delay, $"{e.Delay} completed after {e.Elapsed}"));
    }

    [Fact]
    public void A_zero_or_negative_delay_is_already_complete()
    {
        Assert.True(DelayLine.Shared.Delay(TimeSpan.Zero).IsCompleted);
        Assert.True(DelayLine.Shared.Delay(TimeSpan.FromMilliseconds(-3)).IsCompleted);
    }
}
