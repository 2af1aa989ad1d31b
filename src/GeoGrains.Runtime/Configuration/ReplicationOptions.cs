namespace GeoGrains.Configuration;

/// <summary>Options of the cross-region replication stream.</summary>
public sealed class ReplicationOptions
{
    /// <summary>Most changes in one batch. Default 256. With 1, every change ships alone.</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>
    /// Batches sent to one region and not yet acknowledged, at most. Default 64: across a 250 ms round trip a new batch can
    /// still leave every ~4 ms, so waiting for a free slot adds little to replication lag.
    /// </summary>
    public int MaxBatchesInFlight { get; set; } = 64;

    /// <summary>
    /// Least time between two batches to the same region. A change that finds the link idle for this long leaves at once;
    /// under load, changes gather for at most this long and leave together, which is what makes batching and compression
    /// pay: each batch costs the home region about as much CPU as a change's share of it, so a writer that commits every
    /// 2 ms pays for one batch per write at 3 ms but for one per two or three writes at 5 ms. Default 5 ms, a few percent
    /// of the shortest inter-region delay. Zero sends every change as soon as a batch slot is free.
    /// </summary>
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Whether batches are compressed (Brotli). Default <see langword="true"/>.</summary>
    public bool Compress { get; set; } = true;

    /// <summary>
    /// Whether a version of an active-active grain whose state is an <see cref="GeoGrains.Crdts.IDeltaCrdt{TSelf, TDelta}"/>
    /// (counters, sets, LWW maps) ships as the delta against the version the target region last acknowledged, when that
    /// is smaller than the whole state. Default <see langword="true"/>. A target whose stored version has not seen that
    /// one (it cannot join the delta) gets the whole state next.
    /// </summary>
    public bool ShipDeltas { get; set; } = true;

    /// <summary>How long a shipper waits before retrying a batch its target did not acknowledge. Default 250 ms, doubling up to 5 s.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How often a region looks for outbox markers whose silo is gone (it died with changes still to ship) and ships
    /// them; one silo of the region does it, reading only the markers. Default 10 s.
    /// </summary>
    public TimeSpan OrphanAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a grain's outbox marker stays after every region acknowledged its latest version. A grain written again
    /// meanwhile commits with one row instead of two (its marker still announces it). Default 2 s; zero deletes markers
    /// as soon as they are acknowledged.
    /// </summary>
    public TimeSpan MarkerLinger { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a <see cref="ReplicationMode.SemiSync"/> or <see cref="ReplicationMode.Sync"/> write waits for the other
    /// regions to apply it when the call does not say (<see cref="Durability.WithTimeout"/>); past it the write fails with
    /// <see cref="ReplicationIncompleteException"/> and keeps shipping. Default 5 s. A write forwarded from another region
    /// waits at most four fifths of <c>GeoGrains:Links:CallTimeout</c>, so that its caller gets that exception rather than
    /// the forwarded call's timeout.
    /// </summary>
    public TimeSpan AcknowledgementTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often each silo tells every other region its safe time when no batch has told it meanwhile: what lets a
    /// replica of an idle grain prove it is fresh (bounded-staleness and session reads). One small message per other
    /// region per interval, no storage I/O; a replica's reported lag of an idle source hovers around this plus the
    /// one-way delay. Default 500 ms; must be positive.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}
