using System.Diagnostics.Metrics;
using GeoGrains.Runtime.Links;

namespace GeoGrains.Tests.Links;

public sealed class LinkMeterTests
{
    [Fact]
    public void Counts_messages_and_bytes_per_ordered_pair()
    {
        using var meter = new LinkMeter();

        meter.RecordMessage("us-east", "eu-west");
        meter.RecordMessage("us-east", "eu-west");
        meter.RecordBytes("us-east", "eu-west", 300);
        meter.RecordMessage("eu-west", "us-east");
        meter.RecordBytes("us-east", "apac-east", 7);

        Assert.Equal(new LinkTraffic(2, 300), meter.Get("us-east", "eu-west"));
        Assert.Equal(new LinkTraffic(1, 0), meter.Get("eu-west", "us-east"));
        Assert.Equal(default, meter.Get("apac-east", "us-east"));
        Assert.Equal(new LinkTraffic(2, 307), meter.SentFrom("us-east"));
        Assert.Equal(3, meter.Snapshot().Count);
    }

    [Fact]
    public void Counts_messages_per_grain_interface_apart_from_other_traffic()
    {
        using var meter = new LinkMeter();

        meter.RecordMessage("us-east", "eu-west", typeof(IDisposable));
        meter.RecordMessage("us-east", "eu-west", typeof(IDisposable));
        meter.RecordMessage("us-east", "apac-east", typeof(IDisposable));
        meter.RecordMessage("us-east", "eu-west", typeof(IAsyncDisposable));
        meter.RecordMessage("us-east", "eu-west");

        Assert.Equal(2, meter.Messages<IDisposable>("us-east", "eu-west"));
        Assert.Equal(3, meter.MessagesFrom<IDisposable>("us-east"));
        Assert.Equal(0, meter.Messages<IDisposable>("eu-west", "us-east"));
        Assert.Equal(4, meter.Get("us-east", "eu-west").Messages);
    }

    [Fact]
    public void Publishes_counters_tagged_with_source_and_target()
    {
        using var meter = new LinkMeter();
        var seen = new List<(string Instrument, long Value, string? Source, string? Target)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LinkMeter.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var all = tags.ToArray();
            string? Tag(string key) => all.FirstOrDefault(t => t.Key == key).Value as string;
            lock (seen) seen.Add((instrument.Name, value, Tag("source"), Tag("target")));
        });
        listener.Start();

        meter.RecordMessage("apac-east", "eu-west");
        meter.RecordBytes("apac-east", "eu-west", 42);

        Assert.Contains(("geograins.link.messages", 1L, "apac-east", "eu-west"), seen);
        Assert.Contains(("geograins.link.bytes", 42L, "apac-east", "eu-west"), seen);
    }
}
