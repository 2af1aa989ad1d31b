namespace GeoGrains.Client.Regions;

/// <summary>
/// What the client knows of one region's health: the smoothed round trip of its probes, since when it answers, and a
/// signal raised when it goes down, which calls in flight there watch so they move on at once.
/// </summary>
internal sealed class RegionHealth(RegionId region, double smoothing, TimeProvider time)
{
    private readonly object _lock = new();
    private TaskCompletionSource _down = NewSignal();
    private bool _healthy;
    private TimeSpan? _roundTrip;
    private DateTimeOffset? _healthySince;
    private string? _lastFailure;

    public RegionId Region => region;

    /// <summary>Completes when the region is marked down; a region that recovers gets a new signal.</summary>
    public Task DownSignal
    {
        get { lock (_lock) return _down.Task; }
    }

    public GeoRegionStatus Status
    {
        get { lock (_lock) return new GeoRegionStatus(region, _healthy, _roundTrip, _healthySince, _lastFailure); }
    }

    /// <summary>Takes a successful probe: smooths its round trip in and, if the region was down, starts its healthy period.</summary>
    public void RecordProbe(TimeSpan roundTrip)
    {
        lock (_lock)
        {
            _roundTrip = _roundTrip is { } previous ? previous * (1 - smoothing) + roundTrip * smoothing : roundTrip;
            MarkUpLocked();
        }
    }

    /// <summary>A call succeeded there: the region answers, though this says nothing of its round trip.</summary>
    public void RecordAnswer()
    {
        lock (_lock)
        {
            MarkUpLocked();
        }
    }

    /// <summary>Marks the region down; returns whether it was healthy before.</summary>
    public bool MarkDown(string reason)
    {
        lock (_lock)
        {
            var was = _healthy;
            _healthy = false;
            _healthySince = null;
            _lastFailure = reason;
            _down.TrySetResult();
            return was;
        }
    }

    private void MarkUpLocked()
    {
        if (_healthy)
        {
            return;
        }

        _healthy = true;
        _healthySince = time.GetUtcNow();
        if (_down.Task.IsCompleted)
        {
            _down = NewSignal();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
