using System.Diagnostics;
using GeoGrains.Client.Regions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Client.Routing;

/// <summary>
/// The region-aware client: one <see cref="RegionConnection"/> per region, a prober that measures each region's round
/// trip (<see cref="IRegionProbeGrain.Probe"/>) every <see cref="GeoClientSettings.ProbeInterval"/>, the choice of the
/// current region (<see cref="RegionSelector"/>), and the session calls carry. Calls go through <see cref="Invoker"/>.
/// </summary>
internal sealed class GeoClient : IGeoClient, IRegionRouter, IHostedService, IAsyncDisposable
{
    private readonly GeoClientSettings _settings;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<RegionConnection> _connections;
    private readonly IReadOnlyDictionary<RegionId, RegionConnection> _byRegion;
    private readonly IReadOnlyDictionary<RegionId, RegionHealth> _health;
    private readonly object _choiceLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private RegionId? _current;
    private GeoSession _session = new();
    private Task? _probing;
    private int _disposed;

    public GeoClient(GeoClientSettings settings, ILogger<GeoClient> logger, TimeProvider? time = null, ClientLinkEmulation? emulation = null)
    {
        _settings = settings;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _connections = [.. settings.Regions.Select(r => new RegionConnection(r, settings, emulation, logger))];
        _byRegion = _connections.ToDictionary(c => c.Region.Id);
        _health = settings.Regions.ToDictionary(r => r.Id, r => new RegionHealth(r.Id, settings.LatencySmoothing, _time));
        Invoker = new GeoCallInvoker(this, settings, () => Volatile.Read(ref _session), Owners, _time);
    }

    public GeoCallInvoker Invoker { get; }

    public OwnerCache Owners { get; } = new();

    public GeoClientSettings Settings => _settings;

    public RegionId? CurrentRegion
    {
        get { lock (_choiceLock) return _current; }
    }

    public IReadOnlyList<GeoRegionStatus> Regions => [.. _settings.Regions.Select(r => _health[r.Id].Status)];

    public GeoSession Session => Volatile.Read(ref _session);

    public string ExportSession() => Session.Token;

    public void ImportSession(string token) => Volatile.Write(ref _session, GeoSession.Resume(token));

    /// <summary>The current region's connected Orleans client, for what cannot fail over (observers, streams).</summary>
    /// <exception cref="NoRegionAvailableException">No region is connected.</exception>
    public IClusterClient CurrentClient(string purpose)
    {
        var failures = new List<KeyValuePair<RegionId, string>>();
        foreach (var region in CallOrder(null))
        {
            if (_byRegion[region].Connected is { } client)
            {
                return client;
            }

            failures.Add(new(region, _health[region].Status.LastFailure ?? "not connected"));
        }

        throw new NoRegionAvailableException(purpose, failures);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The first round decides where the first calls go; a region that does not answer within the connect timeout is
        // left for later rounds, and the app starts either way (its calls report what cannot be reached).
        await ProbeAllAsync(cancellationToken);
        _probing = ProbeLoopAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_probing is { } probing)
        {
            await probing.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Probes every region now (tests and the benchmark use it to see a change without waiting for a round).</summary>
    public async Task ProbeAllAsync(CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(_connections.Select(c => ProbeAsync(c, cancellationToken)));
        Reevaluate();
    }

    private async Task ProbeLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_settings.ProbeInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await ProbeAllAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task ProbeAsync(RegionConnection connection, CancellationToken cancellationToken)
    {
        var region = connection.Region.Id;
        IClusterClient? client = null;
        try
        {
            client = await connection.GetClientAsync(_settings.ConnectTimeout, cancellationToken);
            var started = Stopwatch.GetTimestamp();
            var reply = await client.GetGrain<IRegionProbeGrain>(0).Probe().WaitAsync(_settings.ConnectTimeout, cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (reply.Region != region)
            {
                // A gateway list pointing at the wrong region would send the app's calls somewhere it did not ask for.
                MarkDown(region, $"its gateways answered as region '{reply.Region}' ({reply.ClusterId})");
                await connection.ResetAsync(client);
                return;
            }

            _health[region].RecordProbe(elapsed);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            var reason = exception switch
            {
                RegionNotReachedException notReached => notReached.Reason,
                TimeoutException => $"its probe got no answer within {_settings.ConnectTimeout.TotalMilliseconds:0} ms",
                _ => $"its probe failed ({exception.GetType().Name}: {exception.Message})",
            };
            MarkDown(region, reason);
            if (client is not null)
            {
                await connection.ResetAsync(client);
            }
        }
    }

    private void MarkDown(RegionId region, string reason)
    {
        if (_health[region].MarkDown(reason))
        {
            _logger.LogWarning("Region {Region} is down: {Reason}", region, reason);
        }

        Reevaluate();
    }

    private void Reevaluate()
    {
        lock (_choiceLock)
        {
            var chosen = RegionSelector.Choose(_current, Regions, _settings.PreferredRegions, _time.GetUtcNow(), _settings.FailbackAfter);
            if (chosen != _current)
            {
                _logger.LogInformation("Calls now go to region {Region} (were going to {Previous}).", chosen?.Value ?? "none", _current?.Value ?? "none");
                _current = chosen;
            }
        }
    }

    public IReadOnlyList<RegionId> CallOrder(RegionId? first) =>
        RegionSelector.CallOrder(first, CurrentRegion, Regions, _settings.PreferredRegions);

    async Task<IGrainFactory> IRegionRouter.ConnectAsync(RegionId region, TimeSpan timeout, CancellationToken cancellationToken) =>
        await _byRegion[region].GetClientAsync(timeout, cancellationToken);

    Task IRegionRouter.DownSignal(RegionId region) => _health[region].DownSignal;

    void IRegionRouter.ReportFailure(RegionId region, string reason, IGrainFactory? broken)
    {
        MarkDown(region, reason);
        if (broken is IClusterClient client)
        {
            _ = _byRegion[region].ResetAsync(client);
        }
    }

    void IRegionRouter.ReportAnswer(RegionId region)
    {
        var health = _health[region];
        if (!health.Status.Healthy)
        {
            health.RecordAnswer();
            Reevaluate();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // DI hands the same instance out as several services and disposes each registration.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_probing is { } probing)
        {
            await probing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        _stopping.Dispose();
    }
}
