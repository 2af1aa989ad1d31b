using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// Replication counters per ordered region pair (source → target), published on the meter <see cref="MeterName"/>
/// and readable with <see cref="Get"/>. Replication lag (commit in the home region to apply in the target, on the hybrid
/// clock) is the histogram <c>geograins.replication.lag</c> in milliseconds; its latest value per pair is in <see cref="ReplicationTraffic.LastLagMilliseconds"/>.
/// </summary>
public sealed class ReplicationMetrics : IDisposable
{
    /// <summary>The name of the meter.</summary>
    public const string MeterName = "GeoGrains.Replication";

    private readonly ConcurrentDictionary<(RegionId, RegionId), Counters> _pairs = new();
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _changesSent;
    private readonly Counter<long> _batchesSent;
    private readonly Counter<long> _changesApplied;
    private readonly Histogram<double> _lag;

    /// <summary>Creates the metrics.</summary>
    public ReplicationMetrics()
    {
        _changesSent = _meter.CreateCounter<long>("geograins.replication.changes_sent", "{change}", "Changes sent, retries included.");
        _batchesSent = _meter.CreateCounter<long>("geograins.replication.batches_sent", "{batch}", "Batches sent, retries included.");
        _changesApplied = _meter.CreateCounter<long>("geograins.replication.changes_applied", "{change}", "Changes a target applied (newer than its replica).");
        _lag = _meter.CreateHistogram<double>("geograins.replication.lag", "ms", "Commit in the home region to apply in the target region.");
    }

    /// <summary>The counters of one ordered pair.</summary>
    public ReplicationTraffic Get(RegionId source, RegionId target) =>
        _pairs.TryGetValue((source, target), out var counters) ? counters.Read() : default;

    internal void BatchSent(RegionId source, RegionId target, int changes, int rawBytes, int wireBytes, int deltas = 0)
    {
        var counters = Pair(source, target);
        Interlocked.Add(ref counters.ChangesSent, changes);
        Interlocked.Add(ref counters.DeltasSent, deltas);
        Interlocked.Increment(ref counters.BatchesSent);
        Interlocked.Add(ref counters.RawBytes, rawBytes);
        Interlocked.Add(ref counters.PayloadBytes, wireBytes);
        _changesSent.Add(changes, Tags(source, target));
        _batchesSent.Add(1, Tags(source, target));
    }

    internal void DeltasRefused(RegionId source, RegionId target, int changes) => Interlocked.Add(ref Pair(source, target).DeltasRefused, changes);

    internal void HeartbeatSent(RegionId source, RegionId target) => Interlocked.Increment(ref Pair(source, target).HeartbeatsSent);

    internal void BatchAcknowledged(RegionId source, RegionId target, int changes) =>
        Interlocked.Add(ref Pair(source, target).ChangesAcknowledged, changes);

    internal void ChangeApplied(RegionId source, RegionId target, double lagMilliseconds)
    {
        var counters = Pair(source, target);
        Interlocked.Increment(ref counters.ChangesApplied);
        Interlocked.Exchange(ref counters.LastLag, lagMilliseconds);
        _changesApplied.Add(1, Tags(source, target));
        _lag.Record(lagMilliseconds, Tags(source, target));
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private Counters Pair(RegionId source, RegionId target) => _pairs.GetOrAdd((source, target), static _ => new Counters());

    private static KeyValuePair<string, object?>[] Tags(RegionId source, RegionId target) =>
        [new("source", source.Value), new("target", target.Value)];

    private sealed class Counters
    {
        public long ChangesSent;
        public long BatchesSent;
        public long RawBytes;
        public long PayloadBytes;
        public long ChangesAcknowledged;
        public long ChangesApplied;
        public double LastLag;
        public long HeartbeatsSent;
        public long DeltasSent;
        public long DeltasRefused;

        public ReplicationTraffic Read() => new(
            Interlocked.Read(ref ChangesSent),
            Interlocked.Read(ref BatchesSent),
            Interlocked.Read(ref ChangesAcknowledged),
            Interlocked.Read(ref ChangesApplied),
            Interlocked.Read(ref RawBytes),
            Interlocked.Read(ref PayloadBytes),
            Volatile.Read(ref LastLag),
            Interlocked.Read(ref HeartbeatsSent),
            Interlocked.Read(ref DeltasSent),
            Interlocked.Read(ref DeltasRefused));
    }
}

/// <summary>Replication counters of one ordered region pair.</summary>
/// <param name="ChangesSent">Changes sent, retries included.</param>
/// <param name="BatchesSent">Batches sent, retries included.</param>
/// <param name="ChangesAcknowledged">Changes the target acknowledged, each version once (a batch sent again because its answer was late is acknowledged twice and counted once).</param>
/// <param name="ChangesApplied">Changes the target applied (the rest were older than its replica).</param>
/// <param name="RawBytes">Serialized size of the changes sent, before compression.</param>
/// <param name="PayloadBytes">Size of the batch payloads sent, after compression.</param>
/// <param name="LastLagMilliseconds">Lag of the most recently applied change.</param>
/// <param name="HeartbeatsSent">Safe-time heartbeats the target answered (sent when no batch told it for an interval).</param>
/// <param name="DeltasSent">Changes of active-active grains sent as deltas instead of whole states (among <paramref name="ChangesSent"/>).</param>
/// <param name="DeltasRefused">Deltas the target could not join (its copy had not seen their base); each went again as the whole state.</param>
public readonly record struct ReplicationTraffic(
    long ChangesSent,
    long BatchesSent,
    long ChangesAcknowledged,
    long ChangesApplied,
    long RawBytes,
    long PayloadBytes,
    double LastLagMilliseconds,
    long HeartbeatsSent = 0,
    long DeltasSent = 0,
    long DeltasRefused = 0);
