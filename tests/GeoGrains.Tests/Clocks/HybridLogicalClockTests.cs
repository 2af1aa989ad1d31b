using GeoGrains.Runtime.Clocks;

namespace GeoGrains.Tests.Clocks;

public sealed class HybridLogicalClockTests
{
    private sealed class ManualTime(long milliseconds) : TimeProvider
    {
        public long Milliseconds { get; set; } = milliseconds;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Milliseconds);
    }

    [Fact]
    public void Readings_strictly_increase_even_when_the_wall_clock_stands_still_or_goes_back()
    {
        var time = new ManualTime(1_000);
        var clock = new HybridLogicalClock(time);

        var a = clock.Now();
        var b = clock.Now();
        time.Milliseconds = 900;
        var c = clock.Now();
        time.Milliseconds = 2_000;
        var d = clock.Now();

        Assert.Equal(new HybridTimestamp(1_000, 0), a);
        Assert.Equal(new HybridTimestamp(1_000, 1), b);
        Assert.Equal(new HybridTimestamp(1_000, 2), c);
        Assert.Equal(new HybridTimestamp(2_000, 0), d);
    }

    [Fact]
    public void A_reading_from_a_region_whose_clock_is_ahead_orders_later_local_readings_after_it()
    {
        var time = new ManualTime(1_000);
        var clock = new HybridLogicalClock(time);
        var remote = new HybridTimestamp(5_000, 3);

        var observed = clock.Observe(remote);
        var next = clock.Now();

        Assert.True(observed > remote);
        Assert.True(next > observed);
        Assert.Equal(5_000, next.PhysicalMilliseconds);
    }

    [Fact]
    public void Observing_an_older_reading_still_advances()
    {
        var time = new ManualTime(3_000);
        var clock = new HybridLogicalClock(time);
        var before = clock.Now();

        var after = clock.Observe(new HybridTimestamp(1_000, 9));

        Assert.True(after > before);
    }
}
