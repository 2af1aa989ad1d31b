using GeoGrains.Calls;
using GeoGrains.Configuration;
using GeoGrains.Hosting;
using GeoGrains.Runtime.Topology;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace GeoGrains.Runtime.Links;

/// <summary>
/// An Orleans client, hosted inside a silo of one region, connected to the gateways of one other region.
/// It is built on first use and rebuilt after its connection fails, so a region that restarts is reached again.
/// </summary>
internal sealed class RemoteRegionClient(
    RegionId local,
    RegionDescriptor target,
    string serviceId,
    WanEmulator emulator,
    LinkMeter meter,
    GeoLinkOptions options,
    ILoggerFactory loggerFactory) : IAsyncDisposable
{
    // Orleans' own response timeout is the primary deadline; this only guards against a call that never completes.
    private static readonly TimeSpan SafetyMargin = TimeSpan.FromSeconds(1);

    private readonly ClientHostSlot _slot = new(typeof(RemoteRegionClient));
    private readonly object _connectLock = new();
    private Task<IClusterClient>? _connecting;
    private readonly ILogger _logger = loggerFactory.CreateLogger<RemoteRegionClient>();
    private bool _disposed;

    public async Task<TResult> InvokeAsync<TResult>(Func<IGrainFactory, Task<TResult>> call, CancellationToken cancellationToken)
    {
        var client = await GetClientAsync(cancellationToken);
        try
        {
            return await call(client).WaitAsync(options.CallTimeout + SafetyMargin, cancellationToken);
        }
        catch (TimeoutException exception)
        {
            throw new RegionUnreachableException(local, target.Id, $"no reply within {options.CallTimeout.TotalMilliseconds:0} ms ({Describe(exception)}).");
        }
        catch (Exception exception) when (IsConnectionFailure(exception))
        {
            await ResetAsync(client);
            throw new RegionUnreachableException(local, target.Id, $"the connection to its gateways failed ({Describe(exception)}).");
        }
        catch (ArgumentException exception) when (exception.Message.StartsWith("Could not find an implementation for interface", StringComparison.Ordinal))
        {
            // The client took the region's grain manifest from a silo still starting (a region that restarts), and keeps
            // it: a new connection takes it again.
            await ResetAsync(client);
            throw new RegionUnreachableException(local, target.Id, $"its silos did not list the grain yet ({Describe(exception)}).");
        }
    }

    /// <summary>Connects ahead of the first call, so that it does not pay for the connection; failures are left for that call to report.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            await GetClientAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is RegionUnreachableException or OperationCanceledException or ObjectDisposedException)
        {
            _logger.LogInformation("Region {Local} could not connect to region {Target} yet: {Reason}", local, target.Id, exception.Message);
        }
    }

    // The cause travels as text: Orleans' transport exceptions have no codec, and this exception crosses to callers.
    private static string Describe(Exception exception) => $"{exception.GetType().Name}: {exception.Message}";

    private static bool IsConnectionFailure(Exception exception) =>
        exception is OrleansMessageRejectionException or ConnectionFailedException or ObjectDisposedException;

    private async ValueTask<IClusterClient> GetClientAsync(CancellationToken cancellationToken)
    {
        if (_slot.Connected is { } connected)
        {
            return connected;
        }

        // Callers arriving while a connection is being made share it and its outcome: a region that is down costs them one
        // connect timeout together, not one each in turn (which left calls, replication batches among them, waiting for
        // minutes behind each other). None waits longer than its own call timeout.
        var deadline = TimeProvider.System.GetTimestamp() + (long)(options.CallTimeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            Task<IClusterClient> attempt;
            bool joined;
            lock (_connectLock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_slot.Connected is { } raced)
                {
                    return raced;
                }

                joined = _connecting is { IsCompleted: false };
                if (!joined)
                {
                    _connecting = ConnectAsync();
                }

                attempt = _connecting!;
            }

            var left = TimeProvider.System.GetElapsedTime(TimeProvider.System.GetTimestamp(), deadline);
            try
            {
                return await attempt.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new RegionUnreachableException(local, target.Id,
                    $"no connection to its gateways {string.Join(", ", target.Gateways)} within {options.CallTimeout.TotalMilliseconds:0} ms.");
            }
            catch (RegionUnreachableException) when (joined && TimeProvider.System.GetTimestamp() < deadline)
            {
                // The attempt this caller joined began before it asked (a warm-up at start, another caller's): it tries
                // once more with an attempt of its own, within its own deadline.
            }
        }
    }

    private async Task<IClusterClient> ConnectAsync()
    {
        await Task.Yield(); // out of the caller's lock

        // Callers bound their own wait on this attempt (GetClientAsync); the attempt itself waits its turn unbounded, so it
        // always gets one.
        return (await _slot.ConnectAsync(StartAsync, Timeout.InfiniteTimeSpan, CancellationToken.None))!;
    }

    private async Task<IHost> StartAsync()
    {
        if (target.Gateways.Count == 0)
        {
            throw new RegionUnreachableException(local, target.Id, "the topology lists no gateways for it.");
        }

        var host = BuildHost();
        using var timeout = new CancellationTokenSource(options.ConnectTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
        }
        catch (Exception exception)
        {
            await ClientHostSlot.StopAndDisposeAsync(host);

            // Connecting makes grain calls of its own (the cluster manifest), so a partition stops it too.
            var reason = emulator.IsCut(local, target.Id) || emulator.IsCut(target.Id, local) ? "the link is partitioned" : Describe(exception);
            throw new RegionUnreachableException(local, target.Id, $"could not connect to its gateways {string.Join(", ", target.Gateways)} ({reason}).");
        }

        _logger.LogInformation("Region {Local} connected to region {Target} ({ClusterId}).", local, target.Id, target.ClusterId);
        return host;
    }

    private IHost BuildHost()
    {
        var filter = new WanEmulationFilter(local, target.Id, emulator, meter, options.CallTimeout);
        return new HostBuilder()
            // The client's own logs would report an unreachable region as a failed host at error level; this class
            // reports link failures itself, in the silo's log, at the level they deserve.
            .ConfigureServices(services => services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance))
            .UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = target.ClusterId;
                    o.ServiceId = serviceId;
                });
                client.UseStaticClustering([.. target.Gateways]);
                client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.CallTimeout);
                client.Configure<ClientConnectionOptions>(o => o.ConfigureConnection(connection => connection.Use(next => context =>
                {
                    context.Transport = new MeteredDuplexPipe(
                        context.Transport,
                        sent => meter.RecordBytes(local, target.Id, sent),
                        received => meter.RecordBytes(target.Id, local, received));
                    return next(context);
                })));
                client.AddOutgoingGrainCallFilter(filter);

                // A call forwarded to the owner region brings back what served it there, for the forwarding region's caller.
                client.AddOutgoingGrainCallFilter<GeoCallContextFilter>();
            })
            .Build();
    }

    private async Task ResetAsync(IClusterClient broken)
    {
        if (await _slot.ResetAsync(broken))
        {
            _logger.LogWarning("Connection from region {Local} to region {Target} failed; it is rebuilt on the next call.", local, target.Id);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_connectLock)
        {
            _disposed = true;
        }

        await _slot.DisposeAsync();
    }
}
