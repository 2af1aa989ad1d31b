using CsCheck;
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

    [Fact]
    public void A_reading_further_ahead_than_the_maximum_offset_is_reported_and_the_clock_does_not_jump_with_it()
    {
        var time = new ManualTime(1_000);
        var clock = new HybridLogicalClock(time, TimeSpan.FromMilliseconds(250));
        var before = clock.Now();

        var observed = clock.Observe(new HybridTimestamp(60_000, 0), "eu-west");
        var next = clock.Now();

        Assert.True(observed > before);
        Assert.True(next > observed);
        Assert.True(next.PhysicalMilliseconds <= 1_250, $"the clock jumped to {next}");
        Assert.Equal(1, clock.AheadOfOffset["eu-west"]);

        // Within the offset it is followed as before, and nothing more is reported.
        var close = new HybridTimestamp(1_200, 4);
        Assert.True(clock.Observe(close, "eu-west") > close);
        Assert.Equal(1, clock.AheadOfOffset["eu-west"]);
    }

    [Fact]
    public void With_a_skewed_or_frozen_wall_clock_readings_stay_monotonic_and_after_every_reading_observed_within_the_offset()
    {
        // Steps: the wall clock moves (ahead, back, or not at all), a local reading, or a remote reading observed from
        // somewhere between far behind and far ahead of the wall clock.
        var steps = Gen.Select(Gen.Int[0, 2], Gen.Int[-2_000, 2_000]).Array[1, 60];
        steps.Sample(script =>
        {
            var time = new ManualTime(10_000);
            var clock = new HybridLogicalClock(time, TimeSpan.FromMilliseconds(250));
            var last = clock.Now();
            foreach (var (kind, delta) in script)
            {
                HybridTimestamp reading;
                switch (kind)
                {
                    case 0:
                        time.Milliseconds = Math.Max(0, time.Milliseconds + delta / 10);
                        reading = clock.Now();
                        break;
                    case 1:
                        reading = clock.Now();
                        break;
                    default:
                        var remote = new HybridTimestamp(Math.Max(0, time.Milliseconds + delta), delta & 7);
                        reading = clock.Observe(remote, "peer");
                        if (remote.PhysicalMilliseconds <= time.Milliseconds + 250)
                        {
                            Assert.True(reading > remote, $"{reading} is not after {remote}, observed within the offset");
                        }
                        else
                        {
                            Assert.True(reading.PhysicalMilliseconds <= Math.Max(last.PhysicalMilliseconds, time.Milliseconds + 250), $"the clock jumped to {reading}");
                        }

                        break;
                }

                Assert.True(reading > last, $"{reading} after {last}");
                last = reading;
            }
        }, iter: 300);
    }
}
