using GeoGrains.Runtime.Hosting;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// The silo's copy of what its region's health observer knows: the agreed configuration (who took over which region's
/// grains), whether the region holds its lease, and which regions are suspected. <see cref="RegionHealthKeeper"/> takes
/// it every probe interval; a write that waits for a transfer asks more often. A lease counts from when the silo asked,
/// so the silo's copy never outlasts the observer's.
/// </summary>
internal sealed class FailoverState
{
    private readonly Func<IRegionHealthPeer> _observer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _pollInterval;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly HashSet<long> _firstWrites = [];
    private readonly Dictionary<long, long> _learnedAt = [];
    private volatile Snapshot _current;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _queued;
    private long _refreshes;
    private volatile bool _leaseSeen;

    // LeaseUntil with no lease: before every timestamp. (0 would be a time, the clock's origin, which a TimeProvider may
    // put anywhere.)
    private const long NoLease = long.MinValue;

    public FailoverState(IGrainFactory grains, GeoTopology topology, TimeProvider time, IOptions<GeoGrainsOptions> options, ILogger<FailoverState> logger)
        : this(() => grains.GetGrain<IRegionHealthPeer>(0), topology, time, options, logger)
    {
    }

    internal FailoverState(Func<IRegionHealthPeer> observer, GeoTopology topology, TimeProvider time, IOptions<GeoGrainsOptions> options, ILogger logger)
    {
        _observer = observer;
        _time = time;
        _logger = logger;
        Options = options.Value.Failover;
        Automatic = Options.IsAutomatic(topology.RegionIds.Count());
        _pollInterval = TimeSpan.FromTicks(Math.Max(options.Value.Health.ProbeInterval.Ticks / 10, TimeSpan.FromMilliseconds(10).Ticks));
        _current = new Snapshot(RegionConfiguration.Initial, NoLease, []);
        LeaseWait = options.Value.Health.ProbeInterval + options.Value.Health.ProbeTimeout;
    }

    public FailoverOptions Options { get; }

    /// <summary>Whether leases and takeovers are on (three regions or more, unless configured).</summary>
    public bool Automatic { get; }

    /// <summary>A probe round: how long a lease that lapsed may take to come back when only a probe was late.</summary>
    public TimeSpan LeaseWait { get; }

    /// <summary>
    /// How long a write waits for the region's lease before it is refused: a probe round once this silo has seen the
    /// region hold one; before that (the region is still joining the others) as long as a write queued for a transfer.
    /// </summary>
    public TimeSpan WriteLeaseWait => _leaseSeen ? LeaseWait : Options.QueuedWriteTimeout;

    /// <summary>The agreed configuration this silo routes by.</summary>
    public RegionConfiguration Configuration => _current.Configuration;

    /// <summary>Whether the region holds its ownership lease now (always, when failover is off).</summary>
    public bool HoldsLease => !Automatic || Options.IgnoreLeases || _time.GetTimestamp() < _current.LeaseUntil;

    /// <summary>How long ago this silo first routed by <paramref name="generation"/> (zero if it has not yet).</summary>
    public TimeSpan KnownFor(long generation)
    {
        lock (_learnedAt)
        {
            return _learnedAt.TryGetValue(generation, out var at) ? _time.GetElapsedTime(at) : TimeSpan.Zero;
        }
    }

    /// <summary>Whether writes to <paramref name="region"/> should wait for a transfer rather than be sent there.</summary>
    public bool IsUnavailable(RegionId region) => Automatic && _current.Unavailable.Contains(region);

    /// <summary>
    /// Takes the observer's status now; one call at a time, a caller arriving during one waits for the next. An answer
    /// that takes longer than a probe round (<see cref="LeaseWait"/>) is given up on: a status that old is stale anyway, and
    /// a lost message must not hold every write waiting here for the silo's response timeout.
    /// </summary>
    /// <exception cref="TimeoutException">The observer did not answer within a probe round.</exception>
    public async Task RefreshAsync()
    {
        var started = Interlocked.Read(ref _refreshes);
        await _refreshing.WaitAsync();
        try
        {
            if (Interlocked.Read(ref _refreshes) > started + 1)
            {
                return; // one that started after this caller asked has just finished
            }

            var askedAt = _time.GetTimestamp();
            var status = await _observer().GetStatus().WaitAsync(LeaseWait, _time);
            Apply(status, askedAt);
        }
        finally
        {
            Interlocked.Increment(ref _refreshes);
            _refreshing.Release();
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, asking the observer every tenth of a probe interval, for at most
    /// <paramref name="timeout"/> (also while an answer is outstanding). Returns whether it held.
    /// </summary>
    public async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        while (!condition())
        {
            var left = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            var changed = Volatile.Read(ref _changed).Task;
            await Task.WhenAny(changed, Task.Delay(left < _pollInterval ? left : _pollInterval, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                left = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
                await RefreshAsync().WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                _logger.LogDebug("The region health observer did not answer: {Reason}", exception.Message);
            }
        }

        return true;
    }

    /// <summary>
    /// Completes when this silo learns that <paramref name="region"/> is suspected or held down, from the status it takes
    /// every probe interval (it asks for nothing more), or never, until <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task WhenUnavailableAsync(RegionId region, CancellationToken cancellationToken)
    {
        while (!IsUnavailable(region))
        {
            await Volatile.Read(ref _changed).Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Takes a place in the bounded queue of writes waiting for a transfer; dispose to leave it. Null when it is full.</summary>
    public IDisposable? Enqueue()
    {
        if (Interlocked.Increment(ref _queued) > Options.MaxQueuedWrites)
        {
            Interlocked.Decrement(ref _queued);
            return null;
        }

        return new QueuePlace(this);
    }

    /// <summary>A write committed under <paramref name="epoch"/>: the first one under a takeover goes into the region's timeline.</summary>
    public void Committed(long epoch)
    {
        if (Configuration.TenureAt(epoch) is null)
        {
            return;
        }

        lock (_firstWrites)
        {
            if (!_firstWrites.Add(epoch))
            {
                return;
            }
        }

        _ = ReportFirstWriteAsync(epoch);
    }

    private async Task ReportFirstWriteAsync(long epoch)
    {
        try
        {
            await _observer().FirstWriteServed(epoch);
        }
        catch (Exception exception)
        {
            _logger.LogDebug("Could not record the first write under epoch {Epoch}: {Reason}", epoch, exception.Message);
        }
    }

    internal void Apply(FailoverStatus status, long askedAt)
    {
        var leaseUntil = status.LeaseLeft switch
        {
            null => NoLease,
            { } left when left == TimeSpan.MaxValue => long.MaxValue,
            { } left => askedAt + (long)(left.TotalSeconds * _time.TimestampFrequency),
        };
        if (leaseUntil > askedAt)
        {
            _leaseSeen = true;
        }

        var previous = _current;
        var configuration = status.Configuration.Generation >= previous.Configuration.Generation ? status.Configuration : previous.Configuration;
        _current = new Snapshot(configuration, leaseUntil, [.. status.Unavailable]);
        if (configuration.Generation != previous.Configuration.Generation)
        {
            lock (_learnedAt)
            {
                _learnedAt.TryAdd(configuration.Generation, _time.GetTimestamp());
            }

            _logger.LogInformation("Routing by configuration {Configuration}.", configuration);
        }

        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private sealed record Snapshot(RegionConfiguration Configuration, long LeaseUntil, HashSet<RegionId> Unavailable);

    private sealed class QueuePlace(FailoverState state) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                Interlocked.Decrement(ref state._queued);
            }
        }
    }
}
