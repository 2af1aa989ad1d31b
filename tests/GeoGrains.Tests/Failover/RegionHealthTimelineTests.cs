using GeoGrains.Runtime.Clocks;
using GeoGrains.Runtime.Failover;
using Microsoft.Extensions.Logging.Abstractions;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Failover;

/// <summary>What the observer's timeline keeps.</summary>
public sealed class RegionHealthTimelineTests
{
    private readonly ManualTimeProvider _time = new();

    private RegionHealthTimeline NewTimeline() => new(UsEast, new HybridLogicalClock(_time), _time, NullLogger.Instance);

    [Fact]
    public void The_timeline_keeps_the_last_256_changes_in_the_order_they_were_made()
    {
        var timeline = NewTimeline();

        for (var change = 0; change < 300; change++)
        {
            timeline.Record(EuWest, RegionHealthChange.Suspected, $"{change}");
        }

        Assert.Equal(256, timeline.Events.Count);
        Assert.Equal("44", timeline.Events[0].Detail);
        Assert.Equal("299", timeline.Events[^1].Detail);
        Assert.All(timeline.Events, e => Assert.Equal(UsEast, e.Observer));
    }

    [Fact]
    public void The_first_write_under_a_takeovers_epoch_is_recorded_once_for_the_region_taken_over()
    {
        var timeline = NewTimeline();
        var taken = RegionConfiguration.Initial.With(EuWest, TenureState.Away, [UsEast, ApacEast], _time.GetUtcNow());
        var epoch = taken.Tenures[EuWest].Epoch;

        timeline.FirstWriteServed(epoch, taken);
        timeline.FirstWriteServed(epoch, taken);
        timeline.FirstWriteServed(epoch + 1, taken);

        var served = Assert.Single(timeline.Events);
        Assert.Equal((EuWest, RegionHealthChange.FirstWriteServed), (served.Subject, served.Change));
    }
}
