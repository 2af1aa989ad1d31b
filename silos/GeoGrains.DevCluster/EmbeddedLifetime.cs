using Microsoft.Extensions.Hosting;

namespace GeoGrains.DevCluster;

/// <summary>
/// The lifetime of a silo host embedded in the dev cluster: no signal handling and no hold on process exit. The dev
/// cluster owns Ctrl+C and stops its hosts itself; one it gives up on (its storage is gone) must not keep the process alive.
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
