using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GeoGrains.Hosting;

/// <summary>
/// The Orleans client of one other cluster (a region), in an internal host of its own: connected on demand, one attempt
/// at a time, and dropped when its connection fails, so that the next use connects anew and a region that restarts is
/// found again. The region-aware client's connections and the links between regions each hold one.
/// </summary>
/// <remarks>
/// Internal to Abstractions because those two users live in GeoGrains.Client and GeoGrains.Runtime, which must not
/// depend on each other, and both see this assembly's internals. It needs no package of its own: Orleans' SDK already
/// brings the client and hosting abstractions it uses.
/// </remarks>
/// <param name="owner">The type that holds the slot, named when it is used after disposal.</param>
internal sealed class ClientHostSlot(Type owner) : IAsyncDisposable
{
    // A client whose cluster is gone cannot stop gracefully; it is not worth waiting long for it to try.
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IHost? _host;
    private IClusterClient? _client;
    private bool _disposed;

    /// <summary>The client if connected now, without connecting.</summary>
    public IClusterClient? Connected => Volatile.Read(ref _client);

    /// <summary>
    /// The connected client, or a new one from <paramref name="start"/>: one attempt at a time, so a caller that arrives
    /// during another's attempt waits for it and takes its client if it succeeded.
    /// </summary>
    /// <param name="start">Builds and starts a host; stops and disposes it (<see cref="StopAndDisposeAsync"/>) itself when it fails.</param>
    /// <param name="wait">How long to wait for an attempt under way to end.</param>
    /// <param name="cancellationToken">Ends the wait for an attempt under way.</param>
    /// <returns>The client, or <see langword="null"/> when the attempt under way did not end within <paramref name="wait"/>.</returns>
    /// <exception cref="ObjectDisposedException">The slot was disposed.</exception>
    public async Task<IClusterClient?> ConnectAsync(Func<Task<IHost>> start, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(wait, cancellationToken))
        {
            return null;
        }

        try
        {
            ObjectDisposedException.ThrowIf(_disposed, owner);
            if (_client is { } raced)
            {
                return raced;
            }

            var host = await start();
            _host = host;
            var client = host.Services.GetRequiredService<IClusterClient>();
            Volatile.Write(ref _client, client);
            return client;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drops <paramref name="broken"/>, a client whose connection failed, unless it was replaced meanwhile.</summary>
    /// <returns>Whether it was dropped (false when another caller dropped or replaced it first).</returns>
    public async Task<bool> ResetAsync(IClusterClient broken)
    {
        await _gate.WaitAsync();
        try
        {
            return ReferenceEquals(_client, broken) && await DropAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drops the client, if any, and refuses to connect again.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            await DropAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops <paramref name="host"/> within two seconds if it can, then disposes it; what a dying connection throws is swallowed.</summary>
    public static async Task StopAndDisposeAsync(IHost host)
    {
        try
        {
            using var stop = new CancellationTokenSource(StopTimeout);
            await host.StopAsync(stop.Token);
        }
        catch (Exception)
        {
            // A client whose cluster is gone cannot stop gracefully; disposing it is all that is left to do.
        }

        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }

    // Under the gate.
    private async Task<bool> DropAsync()
    {
        Volatile.Write(ref _client, null);
        if (_host is not { } host)
        {
            return false;
        }

        _host = null;
        await StopAndDisposeAsync(host);
        return true;
    }
}
