using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Replication;

namespace GeoGrains.Tests.Replication;

/// <summary>The receiver's side of safe times: per source region, the minimum over its silos, kept honest about silent ones.</summary>
public sealed class ReplicaFreshnessTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ManualTime _time = new();
    private readonly ReplicaFreshness _freshness;

    public ReplicaFreshnessTests() => _freshness = new ReplicaFreshness(new HybridLogicalClock(), _time, Retention);

    private static HybridTimestamp At(long milliseconds) => new(milliseconds, 0);

    private static SafeTimeReport Report(string silo, long safeTime, params string[] active) =>
        new("us-east", silo, At(safeTime), active.Length == 0 ? [silo] : active);

    [Fact]
    public void A_regions_safe_time_is_the_least_over_its_silos_and_unknown_before_any_report()
    {
        Assert.Null(_freshness.SafeTime("us-east"));
        Assert.Null(_freshness.Lag("us-east"));

        _freshness.Apply(Report("a", 500, "a", "b"));
        Assert.Null(_freshness.SafeTime("us-east")); // b is active and has not spoken: it may have changes on the way

        _freshness.Apply(Report("b", 300, "a", "b"));
        Assert.Equal(At(300), _freshness.SafeTime("us-east"));

        _freshness.Apply(Report("b", 900, "a", "b"));
        Assert.Equal(At(500), _freshness.SafeTime("us-east"));
        Assert.Null(_freshness.SafeTime("eu-west"));
    }

    [Fact]
    public void A_late_report_does_not_move_a_silos_safe_time_back()
    {
        _freshness.Apply(Report("a", 700));
        _freshness.Apply(Report("a", 400));

        Assert.Equal(At(700), _freshness.SafeTime("us-east"));
    }

    [Fact]
    public void Lag_is_the_clock_minus_the_safe_time()
    {
        var now = new HybridLogicalClock().Now().PhysicalMilliseconds;
        _freshness.Apply(Report("a", now - 60_000));

        var lag = _freshness.Lag("us-east");

        Assert.NotNull(lag);
        Assert.InRange(lag.Value, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120));
    }

    [Fact]
    public void A_silo_its_peers_stop_listing_holds_the_region_back_for_the_retention_then_is_forgotten()
    {
        _freshness.Apply(Report("a", 100, "a", "b"));
        _freshness.Apply(Report("b", 1_000, "a", "b"));
        Assert.Equal(At(100), _freshness.SafeTime("us-east"));

        // a died: b's membership no longer lists it. Until a's outbox can have been taken over, a still counts.
        _freshness.Apply(Report("b", 2_000, "b"));
        _time.Advance(Retention - TimeSpan.FromSeconds(1));
        _freshness.Apply(Report("b", 3_000, "b"));
        Assert.Equal(At(100), _freshness.SafeTime("us-east"));

        _time.Advance(TimeSpan.FromSeconds(1));
        _freshness.Apply(Report("b", 4_000, "b"));
        Assert.Equal(At(4_000), _freshness.SafeTime("us-east"));
    }

    [Fact]
    public void A_silo_that_is_listed_as_active_but_silent_is_never_forgotten()
    {
        _freshness.Apply(Report("a", 100, "a", "b"));
        _freshness.Apply(Report("b", 1_000, "a", "b"));

        _time.Advance(Retention * 10);
        _freshness.Apply(Report("b", 9_000, "a", "b"));

        Assert.Equal(At(100), _freshness.SafeTime("us-east"));
    }

    [Fact]
    public void A_silo_listed_again_before_the_retention_is_kept()
    {
        _freshness.Apply(Report("a", 100, "a", "b"));
        _freshness.Apply(Report("b", 1_000, "b"));
        _time.Advance(Retention / 2);
        _freshness.Apply(Report("b", 2_000, "a", "b"));
        _time.Advance(Retention);
        _freshness.Apply(Report("b", 3_000, "b"));

        Assert.Equal(At(100), _freshness.SafeTime("us-east"));
    }

    [Fact]
    public async Task A_wait_is_woken_by_the_report_that_reaches_the_time()
    {
        var freshness = new ReplicaFreshness(new HybridLogicalClock(), TimeProvider.System, Retention);
        freshness.Apply(Report("a", 100));

        var waiting = freshness.WaitForAsync("us-east", At(500), Timeout);
        freshness.Apply(Report("a", 400));
        Assert.False(waiting.IsCompleted);

        freshness.Apply(Report("a", 500));
        Assert.True(await waiting);
        Assert.True(await freshness.WaitForAsync("us-east", At(200), TimeSpan.Zero));
    }

    [Fact]
    public async Task A_wait_that_is_not_reached_in_time_answers_false_and_a_cancelled_one_throws()
    {
        var freshness = new ReplicaFreshness(new HybridLogicalClock(), TimeProvider.System, Retention);
        freshness.Apply(Report("a", 100));

        Assert.False(await freshness.WaitForAsync("us-east", At(500), TimeSpan.FromMilliseconds(20)));
        Assert.False(await freshness.WaitForAsync("eu-west", At(1), TimeSpan.Zero));

        using var cancel = new CancellationTokenSource();
        var waiting = freshness.WaitForAsync("us-east", At(500), Timeout, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => freshness.WaitForAsync("us-east", At(1), TimeSpan.FromSeconds(-2)));
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
