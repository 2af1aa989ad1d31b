using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace GeoGrains.Runtime.Links;

/// <summary>
/// Counts the messages and bytes that cross between regions, per ordered pair (source → target).
/// Published as <see cref="System.Diagnostics.Metrics"/> counters on the meter <see cref="MeterName"/>
/// (<c>geograins.link.messages</c>, <c>geograins.link.bytes</c>, tagged <c>source</c> and <c>target</c>)
/// and readable directly with <see cref="Get"/> and <see cref="Snapshot"/>.
/// </summary>
public sealed class LinkMeter : IDisposable
{
    /// <summary>The name of the <see cref="Meter"/> the link counters are published on.</summary>
    public const string MeterName = "GeoGrains.Links";

    private readonly ConcurrentDictionary<(RegionId From, RegionId To), Counters> _pairs = new();
    private readonly ConcurrentDictionary<(RegionId From, RegionId To, Type Interface), long> _byInterface = new();
    private readonly Meter _meter;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _bytes;

    /// <summary>Creates a meter with its own counters.</summary>
    public LinkMeter()
    {
        _meter = new Meter(MeterName);
        _messages = _meter.CreateCounter<long>("geograins.link.messages", "{message}", "Grain messages sent from one region to another.");
        _bytes = _meter.CreateCounter<long>("geograins.link.bytes", "By", "Bytes sent from one region to another on inter-region connections.");
    }

    /// <summary>The traffic sent from <paramref name="from"/> to <paramref name="to"/> so far.</summary>
    public LinkTraffic Get(RegionId from, RegionId to) =>
        _pairs.TryGetValue((from, to), out var counters) ? counters.Read() : default;

    /// <summary>The traffic of every pair that has carried any.</summary>
    public IReadOnlyDictionary<(RegionId From, RegionId To), LinkTraffic> Snapshot() =>
        _pairs.ToDictionary(p => p.Key, p => p.Value.Read());

    /// <summary>
    /// Messages (requests and replies) of calls to <typeparamref name="TGrainInterface"/> sent from <paramref name="from"/>
    /// to <paramref name="to"/>: tells one kind of call apart from the rest of the traffic, such as replication.
    /// </summary>
    public long Messages<TGrainInterface>(RegionId from, RegionId to) =>
        _byInterface.TryGetValue((from, to, typeof(TGrainInterface)), out var count) ? count : 0;

    /// <summary>Messages of calls to <typeparamref name="TGrainInterface"/> sent from <paramref name="from"/> to any other region.</summary>
    public long MessagesFrom<TGrainInterface>(RegionId from) =>
        _byInterface.Where(p => p.Key.From == from && p.Key.Interface == typeof(TGrainInterface)).Sum(p => p.Value);

    /// <summary>All traffic sent from <paramref name="from"/> to any other region.</summary>
    public LinkTraffic SentFrom(RegionId from) =>
        _pairs.Where(p => p.Key.From == from).Aggregate(default(LinkTraffic), (sum, p) => sum + p.Value.Read());

    internal void RecordMessage(RegionId from, RegionId to, Type? grainInterface = null)
    {
        Pair(from, to).AddMessage();
        if (grainInterface is not null)
        {
            _byInterface.AddOrUpdate((from, to, grainInterface), 1, static (_, count) => count + 1);
        }

        _messages.Add(1, Tags(from, to));
    }

    internal void RecordBytes(RegionId from, RegionId to, long bytes)
    {
        if (bytes <= 0)
        {
            return;
        }

        Pair(from, to).AddBytes(bytes);
        _bytes.Add(bytes, Tags(from, to));
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private Counters Pair(RegionId from, RegionId to) => _pairs.GetOrAdd((from, to), static _ => new Counters());

    private static KeyValuePair<string, object?>[] Tags(RegionId from, RegionId to) =>
        [new("source", from.Value), new("target", to.Value)];

    private sealed class Counters
    {
        private long _messages;
        private long _bytes;

        public void AddMessage() => Interlocked.Increment(ref _messages);

        public void AddBytes(long bytes) => Interlocked.Add(ref _bytes, bytes);

        public LinkTraffic Read() => new(Interlocked.Read(ref _messages), Interlocked.Read(ref _bytes));
    }
}

/// <summary>Traffic carried over one directed link.</summary>
/// <param name="Messages">Grain messages (requests and replies).</param>
/// <param name="Bytes">Bytes on the wire.</param>
public readonly record struct LinkTraffic(long Messages, long Bytes)
{
    /// <summary>Adds two amounts of traffic.</summary>
    public static LinkTraffic operator +(LinkTraffic a, LinkTraffic b) => new(a.Messages + b.Messages, a.Bytes + b.Bytes);

    /// <summary>The traffic carried between two readings.</summary>
    public static LinkTraffic operator -(LinkTraffic a, LinkTraffic b) => new(a.Messages - b.Messages, a.Bytes - b.Bytes);
}
