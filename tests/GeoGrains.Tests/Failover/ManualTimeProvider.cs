namespace GeoGrains.Tests.Failover;

/// <summary>
/// A clock that moves only when a test moves it: lease times are compared exactly, without waiting. Its wall clock starts
/// at the real time and moves only with it too, so that what is timed by the wall clock (suspicions, declarations) waits
/// for the test as well.
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private static readonly long StartTicks = TimeSpan.FromHours(1).Ticks;

    private readonly DateTimeOffset _wallAtStart = TimeProvider.System.GetUtcNow();
    private long _ticks = StartTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => _wallAtStart + TimeSpan.FromTicks(Interlocked.Read(ref _ticks) - StartTicks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
