namespace GeoGrains.Runtime.Storage;

/// <summary>
/// One row of a region's conflict time index: names a record of the conflict feed that this region resolved at
/// <see cref="ResolvedAt"/>, either a conflict (<see cref="ConflictId"/>) or a failover reconciliation (the orphan's
/// <see cref="OrphanEpoch"/> and <see cref="OrphanVersion"/>). It is written before the record, so it may name one that
/// never committed: it counts only if the record it names is stored with this very <see cref="ResolvedAt"/> (see
/// <see cref="Confirms"/>).
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record ConflictIndexEntry(
    [property: Id(0)] GrainId Grain,
    [property: Id(1)] HybridTimestamp ResolvedAt,
    [property: Id(2)] string? ConflictId,
    [property: Id(3)] long OrphanEpoch = 0,
    [property: Id(4)] long OrphanVersion = 0)
{
    /// <summary>The entry of a conflict record.</summary>
    public static ConflictIndexEntry Of(ConflictRecord record) => new(record.Grain, record.ResolvedAt, record.Id);

    /// <summary>The entry of a reconciliation record.</summary>
    public static ConflictIndexEntry Of(ReconciliationRecord record) =>
        new(record.Grain, record.ResolvedAt, null, record.Orphaned.Epoch, record.Orphaned.Version);

    /// <summary>Whether it names a reconciliation record rather than a conflict record.</summary>
    public bool IsReconciliation => ConflictId is null;

    /// <summary>
    /// Whether the stored record it names, resolved at <paramref name="storedResolvedAt"/>, is the one this entry was
    /// written for. A resolution retried (its first commit fenced) or superseded leaves an entry of another time behind;
    /// the record's own entry is the one written just before it committed.
    /// </summary>
    public bool Confirms(HybridTimestamp storedResolvedAt) => storedResolvedAt == ResolvedAt;
}
