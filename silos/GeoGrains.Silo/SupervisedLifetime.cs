using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace GeoGrains.Silo;

/// <summary>
/// The host lifetime of a silo started by a supervisor (<c>--exit-when-stdin-closes true</c>): SIGTERM stops it, SIGINT
/// does not. Ctrl+C in a terminal reaches every process of the foreground group; the supervisor receives it too and
/// stops its silos itself, in order, while their storage is still up.
/// </summary>
internal sealed class SupervisedLifetime(IHostApplicationLifetime lifetime) : IHostLifetime, IDisposable
{
    private PosixSignalRegistration? _interrupt;
    private PosixSignalRegistration? _terminate;

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            lifetime.StopApplication();
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _interrupt?.Dispose();
        _terminate?.Dispose();
    }
}
