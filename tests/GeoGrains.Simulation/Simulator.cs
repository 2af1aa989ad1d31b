namespace GeoGrains.Simulation;

/// <summary>
/// The discrete-event core: one simulated global clock, one queue of events ordered by (time, arrival), one seeded
/// <see cref="System.Random"/> that decides every delay, loss and fault. Everything runs on the thread that calls
/// <see cref="RunUntil"/>: the real classes' continuations come back through <see cref="SimRegionContext"/>, which queues
/// them here, so a seed replays exactly (nothing is left to the thread pool or the wall clock).
/// </summary>
internal sealed class Simulator
{
    private const int TailLength = 60;

    private readonly PriorityQueue<(Action Action, string? Label), (long Time, long Sequence)> _queue = new();
    private readonly Queue<string> _tail = new();
    private readonly int _thread = Environment.CurrentManagedThreadId;
    private long _sequence;
    private bool _quiet;
    private ulong _hash = 14695981039346656037UL;

    // GEOGRAINS_SIM_TRACE=file: every traced line is also written there as it happens (to watch a run that hangs).
    private readonly StreamWriter? _echo = Environment.GetEnvironmentVariable("GEOGRAINS_SIM_TRACE") is { Length: > 0 } path
        ? new StreamWriter(path, append: true) { AutoFlush = true }
        : null;

    public Simulator(int seed)
    {
        Seed = seed;
        Random = new Random(seed);
    }

    public int Seed { get; }

    /// <summary>A bound on events per run, so that a loop in simulated time fails rather than hangs.</summary>
    public long MaxSteps { get; set; } = 1_000_000;

    /// <summary>Every random decision of the run; never <see cref="Random.Shared"/>, which would break replay.</summary>
    public Random Random { get; }

    /// <summary>Simulated global time, in ticks since the start of the run.</summary>
    public long Now { get; private set; }

    /// <summary>Events run so far: the "step" a violation names.</summary>
    public long Steps { get; private set; }

    /// <summary>Lines traced so far.</summary>
    public long TraceLines { get; private set; }

    /// <summary>A digest of every event's time and of every traced line: two runs with equal digests ran the same schedule.</summary>
    public ulong TraceHash => _hash;

    /// <summary>Run after every event (the invariants).</summary>
    public Action? AfterEvent { get; set; }

    public TimeSpan Elapsed => TimeSpan.FromTicks(Now);

    public void At(long time, Action action, string? label = null)
    {
        // A continuation arriving from another thread would make the run depend on the thread pool: refuse it loudly.
        if (Environment.CurrentManagedThreadId != _thread)
        {
            throw new InvalidOperationException($"Seed {Seed}: an event was scheduled from thread {Environment.CurrentManagedThreadId}, not the simulation's ({_thread}); something ran on the thread pool: {Environment.StackTrace}");
        }

        _queue.Enqueue((action, label), (Math.Max(time, Now), _sequence++));
    }

    public void After(TimeSpan delay, Action action, string? label = null) => At(Now + Math.Max(0, delay.Ticks), action, label);

    /// <summary>Runs events until the queue is empty or the next one is later than <paramref name="until"/>; time ends at <paramref name="until"/>.</summary>
    public void RunUntil(long until)
    {
        while (_queue.TryPeek(out _, out var key) && key.Time <= until)
        {
            var (action, label) = _queue.Dequeue();
            Now = key.Time;
            Steps++;
            Mix((ulong)key.Time);
            if (label is not null)
            {
                Trace(label);
            }

            if (_echo is not null && Steps % 5000 == 0)
            {
                _echo.WriteLine($"... step {Steps} at {Elapsed.TotalSeconds:F6}s");
            }

            _quiet = false;
            action();
            if (!_quiet)
            {
                AfterEvent?.Invoke();
            }

            if (Steps > MaxSteps)
            {
                throw new InvalidOperationException($"Seed {Seed}: more than {MaxSteps} events by {Elapsed}; a loop in simulated time?{Environment.NewLine}{Tail}");
            }
        }

        Now = Math.Max(Now, until);
    }

    /// <summary>
    /// The event running now changed nothing (a timer or timeout that had nothing left to do, a message to a receiver that
    /// is gone): <see cref="AfterEvent"/> is skipped for it. Time alone only lets leases lapse, which breaks no invariant.
    /// </summary>
    public void Quiet() => _quiet = true;

    public void Trace(string line)
    {
        var text = $"{Elapsed.TotalSeconds,9:F4}s #{Steps} {line}";
        foreach (var c in text)
        {
            Mix(c);
        }

        TraceLines++;
        _echo?.WriteLine(text);
        if (_tail.Count == TailLength)
        {
            _tail.Dequeue();
        }

        _tail.Enqueue(text);
    }

    public string Tail => string.Join(Environment.NewLine, _tail);

    public bool Chance(double p) => Random.NextDouble() < p;

    public TimeSpan Between(TimeSpan min, TimeSpan max) => min + TimeSpan.FromTicks((long)(Random.NextDouble() * (max - min).Ticks));

    private void Mix(ulong value)
    {
        _hash ^= value;
        _hash *= 1099511628211UL;
    }
}
