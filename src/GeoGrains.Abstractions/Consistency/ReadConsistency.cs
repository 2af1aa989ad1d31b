namespace GeoGrains;

/// <summary>How fresh the answer of a <c>[ReadOnly]</c> call must be, and so where it may be served.</summary>
public enum ReadConsistency
{
    /// <summary>The local replica, always: the lowest latency, possibly stale. The default.</summary>
    Eventual,

    /// <summary>
    /// Read-your-writes and monotonic reads within a session (<see cref="GeoSession"/>), also when its client moves to
    /// another region: a replica behind what the session has seen waits briefly for catch-up, then forwards to the owner.
    /// </summary>
    Session,

    /// <summary>
    /// The local replica if it is provably no more than a given time behind the owner, otherwise the owner
    /// (<see cref="Consistency.BoundedStaleness"/>).
    /// </summary>
    BoundedStaleness,

    /// <summary>Linearizable: served by the owner region (forwarded when the caller is elsewhere), ordered with its writes.</summary>
    Strong,
}
