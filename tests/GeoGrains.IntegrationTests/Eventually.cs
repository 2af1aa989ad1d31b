namespace GeoGrains.IntegrationTests;

/// <summary>Waits on a condition instead of sleeping: a timeout is missing evidence, so it fails the test.</summary>
internal static class Eventually
{
    public static async Task<T> Succeeds<T>(Func<Task<T>> attempt, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        Exception? last = null;
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                return await attempt();
            }
            catch (Exception exception)
            {
                last = exception;
            }

            try
            {
                // Back off between attempts; the loop ends on success or at the deadline, never after a fixed sleep.
                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"Timed out after {timeout} waiting for: {what}. Last failure: {last}");
    }

    /// <summary>Waits until <paramref name="condition"/> holds, looking every 50 ms; fails the test at the timeout.</summary>
    public static async Task Holds(Func<bool> condition, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!condition())
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for: {what}.");
            }
        }
    }
}
