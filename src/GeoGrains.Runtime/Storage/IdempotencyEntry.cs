namespace GeoGrains.Runtime.Storage;

/// <summary>
/// A keyed write a grain's owner applied: its key, the version that applied it, that version's commit time (what the
/// window counts from), and the method's outcome (an <see cref="IdempotentOutcome"/> in Orleans' serialization), or
/// <see langword="null"/> while it is not known yet (the version is stored before the method returns).
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record IdempotencyEntry(
    [property: Id(0)] string Key,
    [property: Id(1)] long Version,
    [property: Id(2)] HybridTimestamp AppliedAt,
    [property: Id(3)] byte[]? Outcome = null);
