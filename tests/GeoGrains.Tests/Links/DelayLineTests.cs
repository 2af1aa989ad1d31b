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
    public async Task Completes_shorter_delays_first_whatever_the_order_they_were_asked_in()
    {
        var finished = new List<int>();
        var tasks = new[] { 30, 5, 15 }.Select(async ms =>
        {
            await DelayLine.Shared.Delay(TimeSpan.FromMilliseconds(ms));
            lock (finished) finished.Add(ms);
        });

        await Task.WhenAll(tasks);

        Assert.Equal([5, 15, 30], finished);
    }

    [Fact]
    public void A_zero_or_negative_delay_is_already_complete()
    {
        Assert.True(DelayLine.Shared.Delay(TimeSpan.Zero).IsCompleted);
        Assert.True(DelayLine.Shared.Delay(TimeSpan.FromMilliseconds(-3)).IsCompleted);
    }
}
