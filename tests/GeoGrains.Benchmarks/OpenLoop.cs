using System.Diagnostics;

namespace GeoGrains.Benchmarks;

/// <summary>Issues operations at a fixed rate whatever their latency (an open-loop load), and waits for all of them.</summary>
internal static class OpenLoop
{
    public static async Task<int> RunAsync(double perSecond, TimeSpan duration, Func<int, Task> operation)
    {
        var started = Stopwatch.GetTimestamp();
        var running = new List<Task>();
        var issued = 0;
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed >= duration)
            {
                break;
            }

            var due = (int)(elapsed.TotalSeconds * perSecond);
            while (issued < due)
            {
                running.Add(operation(issued++));
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(running);
        return issued;
    }
}
