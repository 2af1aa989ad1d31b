using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Silo;

/// <summary>
/// Stops the silo when standard input ends: a supervisor holds the write end of the pipe, and the kernel closes it when
/// the supervisor exits for any reason, so its silos never outlive it. Closing the pipe is also how the supervisor asks
/// a silo to stop gracefully.
/// </summary>
internal sealed class StdinWatch(IHostApplicationLifetime lifetime, ILogger<StdinWatch> logger) : BackgroundService
{
    /// <summary>
    /// How long a graceful stop may take before the process ends itself. A silo whose membership table went away with
    /// its supervisor (the region's Azurite) retries the table during shutdown indefinitely; an orphan must end anyway.
    /// </summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Console input cannot be cancelled, so the read runs on its own background thread, which the host never waits for.
        var ended = Task.Factory.StartNew(ReadToEnd, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var stopping = Task.Delay(Timeout.Infinite, stoppingToken);
        if (await Task.WhenAny(ended, stopping) != ended)
        {
            return;
        }

        logger.LogInformation("Standard input closed: the process that started this silo is gone or asked it to stop; stopping.");
        _ = Task.Delay(StopGrace, CancellationToken.None).ContinueWith(
            _ =>
            {
                logger.LogError("The silo did not stop within {Grace} of its standard input closing; ending the process.", StopGrace);
                Process.GetCurrentProcess().Kill();
            },
            TaskScheduler.Default);
        lifetime.StopApplication();
    }

    private static void ReadToEnd()
    {
        using var input = Console.OpenStandardInput();
        var buffer = new byte[256];
        while (input.Read(buffer, 0, buffer.Length) > 0)
        {
        }
    }
}
