using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace GeoGrains.Runtime.Storage;

/// <summary>
/// Storage operations per region, whatever the backend: published on the meter <see cref="MeterName"/>
/// (<c>geograins.storage.operations</c>, tagged <c>region</c> and <c>operation</c>) and readable with <see cref="Get"/>.
/// One round trip to the storage counts once: a point read, a page of a query, or an atomic batch of writes.
/// </summary>
public sealed class RegionStorageMetrics : IDisposable
{
    /// <summary>The name of the meter.</summary>
    public const string MeterName = "GeoGrains.Storage";

    private readonly ConcurrentDictionary<RegionId, Counters> _regions = new();
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _operations;

    /// <summary>Creates the metrics.</summary>
    public RegionStorageMetrics() =>
        _operations = _meter.CreateCounter<long>("geograins.storage.operations", "{operation}", "Round trips to a region's storage.");

    /// <summary>The operations of one region's storage so far.</summary>
    public RegionStorageTraffic Get(RegionId region) => _regions.TryGetValue(region, out var counters) ? counters.Read() : default;

    internal void Read(RegionId region) => Count(region, ref Region(region).Reads, "read");

    internal void Query(RegionId region) => Count(region, ref Region(region).Queries, "query");

    internal void Write(RegionId region, int rows)
    {
        var counters = Region(region);
        Interlocked.Add(ref counters.RowsWritten, rows);
        Count(region, ref counters.Writes, "write");
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private void Count(RegionId region, ref long counter, string operation)
    {
        Interlocked.Increment(ref counter);
        _operations.Add(1, new KeyValuePair<string, object?>("region", region.Value), new KeyValuePair<string, object?>("operation", operation));
    }

    private Counters Region(RegionId region) => _regions.GetOrAdd(region, static _ => new Counters());

    private sealed class Counters
    {
        public long Reads;
        public long Queries;
        public long Writes;
        public long RowsWritten;

        public RegionStorageTraffic Read() =>
            new(Interlocked.Read(ref Reads), Interlocked.Read(ref Queries), Interlocked.Read(ref Writes), Interlocked.Read(ref RowsWritten));
    }
}

/// <summary>Storage operations of one region.</summary>
/// <param name="Reads">Point reads.</param>
/// <param name="Queries">Query round trips (pages).</param>
/// <param name="Writes">Write round trips: single writes and atomic batches.</param>
/// <param name="RowsWritten">Rows those writes touched.</param>
public readonly record struct RegionStorageTraffic(long Reads, long Queries, long Writes, long RowsWritten)
{
    /// <summary>Every round trip.</summary>
    public long Operations => Reads + Queries + Writes;
}
