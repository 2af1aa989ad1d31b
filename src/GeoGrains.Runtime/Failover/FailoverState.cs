using GeoGrains.Configuration;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// What the silo writes and routes by: the agreed configuration (who took over which region's grains), whether the
/// region's lease holds on this silo, and which regions are suspected. <see cref="RegionHealthKeeper"/> takes the region
/// health observer's status every probe interval (a write that waits for a transfer asks more often); the silo also
/// keeps a lease of its own (<see cref="Lease"/>, confirmed by the other regions' observers through
/// <see cref="SiloLeaseProber"/>), so that the lease outlives the silo that runs the observer, and learns newer
/// configurations from those answers too. The lease holds while either holds: the observer's copy (counted from when the
/// silo asked, so it never outlasts the observer's) or the silo's own.
/// </summary>
internal sealed class FailoverState
{
    private readonly Func<IRegionHealthPeer> _observer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _pollInterval;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly object _updating = new();
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

    public FailoverState(IGrainFactory grains, GeoTopology topology, LocalRegion region, TimeProvider time, IOptions<FailoverOptions> options, IOptions<RegionHealthOptions> health, ILogger<FailoverState> logger)
        : this(() => grains.GetGrain<IRegionHealthPeer>(0), topology, region.Id, time, options, health, logger)
    {
    }

    internal FailoverState(Func<IRegionHealthPeer> observer, GeoTopology topology, RegionId region, TimeProvider time, IOptions<FailoverOptions> options, IOptions<RegionHealthOptions> health, ILogger logger)
    {
        _observer = observer;
        _time = time;
        _logger = logger;
        Options = options.Value;
        Automatic = Options.IsAutomatic(topology.RegionIds.Count());
        _pollInterval = TimeSpan.FromTicks(Math.Max(health.Value.ProbeInterval.Ticks / 10, TimeSpan.FromMilliseconds(10).Ticks));
        _current = new Snapshot(RegionConfiguration.Initial, NoLease, []);
        LeaseWait = health.Value.ProbeInterval + health.Value.ProbeTimeout;
        Lease = new SiloLease(region, topology.RegionIds.Count(), Options.LeasePeriod, Options.MaxClockOffset, time);
    }

    /// <summary>This silo's own lease: confirmed by the other regions' observers and its region's own vote.</summary>
    public SiloLease Lease { get; }

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
    public bool HoldsLease => !Automatic || Options.IgnoreLeases || _time.GetTimestamp() < _current.LeaseUntil || Lease.Holds;

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
            if (condition())
            {
                break;
            }

            // The observer may be gone (its silo died): a lease confirmed by another region's answer, or a configuration
            // learned from one, ends the wait without it.
            changed = Volatile.Read(ref _changed).Task;
            var refresh = RefreshAsync();
            try
            {
                left = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
                await Task.WhenAny(refresh, changed).WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time, cancellationToken);
                if (refresh.IsCompleted)
                {
                    await refresh;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                _logger.LogDebug("The region health observer did not answer: {Reason}", exception.Message);
            }
            finally
            {
                if (!refresh.IsCompleted)
                {
                    _ = refresh.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }
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

        Update(status.Configuration, orNewer: true, previous => previous with { LeaseUntil = leaseUntil, Unavailable = [.. status.Unavailable] });
        Lease.SelfAnswered(Lease.At(askedAt), status.SelfGrants && status.Configuration.Generation <= Configuration.Generation);
        SawLease();
    }

    /// <summary>
    /// Another region's observer answered this silo's lease request sent at <paramref name="askedAt"/> (a timestamp of
    /// the silo's <see cref="TimeProvider"/>): a newer configuration it carries is learned first, so that its grant counts
    /// if it was fenced only by that configuration.
    /// </summary>
    internal void LeaseAnswered(RegionId granter, long askedAt, LeaseReply reply)
    {
        if (reply.Configuration is { } theirs)
        {
            Update(theirs, orNewer: false, change: null);
        }

        Lease.Answered(granter, Lease.At(askedAt), reply.Granted, reply.FenceGeneration, Configuration.Generation);
        SawLease();
        Signal();
    }

    /// <summary>
    /// The region's acceptor row, read at <paramref name="askedAt"/> because the observer did not answer: its learned
    /// configuration, and the region's own vote for the lease, which the row gives as the observer would (the acceptor
    /// holds the region neither away nor fenced by a value accepted but not learned).
    /// </summary>
    internal void ApplyStored(AcceptorState stored, long askedAt)
    {
        Update(stored.Learned, orNewer: false, change: null);
        var grants = stored.Value.Generation <= stored.Learned.Generation && !stored.Learned.IsAway(Lease.Self) && stored.Learned.Generation <= Configuration.Generation;
        Lease.SelfAnswered(Lease.At(askedAt), grants);
        SawLease();
        Signal();
    }

    private void SawLease()
    {
        if (Lease.Holds)
        {
            _leaseSeen = true;
        }
    }

    // Takes a newer configuration (the same generation too when orNewer) and applies change, as one step: the observer's
    // status and other regions' answers arrive on different threads.
    private void Update(RegionConfiguration configuration, bool orNewer, Func<Snapshot, Snapshot>? change)
    {
        Snapshot previous;
        Snapshot next;
        lock (_updating)
        {
            previous = _current;
            var newer = orNewer ? configuration.Generation >= previous.Configuration.Generation : configuration.Generation > previous.Configuration.Generation;
            next = (change?.Invoke(previous) ?? previous) with { Configuration = newer ? configuration : previous.Configuration };
            _current = next;
        }

        if (next.Configuration.Generation != previous.Configuration.Generation)
        {
            lock (_learnedAt)
            {
                _learnedAt.TryAdd(next.Configuration.Generation, _time.GetTimestamp());
            }

            _logger.LogInformation("Routing by configuration {Configuration}.", next.Configuration);
        }

        Signal();
    }

    private void Signal() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

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
