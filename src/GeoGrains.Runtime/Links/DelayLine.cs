using System.Diagnostics;

namespace GeoGrains.Runtime.Links;

/// <summary>
/// Completes delays on time. .NET timers on Linux fire up to several milliseconds late, which would make an emulated
/// 100 ms link measurably slower than the network it stands for; one dedicated thread that waits for the earliest
/// deadline is late by well under a millisecond.
/// </summary>
internal sealed class DelayLine
{
    public static readonly DelayLine Shared = new();

    private readonly object _lock = new();
    private readonly PriorityQueue<TaskCompletionSource, long> _pending = new();

    private DelayLine()
    {
        new Thread(Run) { IsBackground = true, Name = "GeoGrains WAN delay line" }.Start();
    }

    /// <summary>A task that completes no earlier than <paramref name="delay"/> from now.</summary>
    public Task Delay(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        var due = Stopwatch.GetTimestamp() + (long)Math.Ceiling(delay.TotalSeconds * Stopwatch.Frequency);
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _pending.Enqueue(completion, due);
            if (_pending.Peek() == completion)
            {
                Monitor.Pulse(_lock);
            }
        }

        return completion.Task;
    }

    private void Run()
    {
        lock (_lock)
        {
            while (true)
            {
                if (!_pending.TryPeek(out _, out var due))
                {
                    Monitor.Wait(_lock);
                    continue;
                }

                var remaining = due - Stopwatch.GetTimestamp();
                if (remaining > 0)
                {
                    // Whole milliseconds, rounded up: a delay may end a little late, never early.
                    Monitor.Wait(_lock, (int)Math.Ceiling(remaining * 1000.0 / Stopwatch.Frequency));
                    continue;
                }

                // Continuations run asynchronously, so completing under the lock runs no user code here.
                _pending.Dequeue().SetResult();
            }
        }
    }
}
