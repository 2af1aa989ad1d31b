namespace GeoGrains.Runtime.Replication;

/// <summary>
/// One silo's word to a replica region on what it has shipped: every change that silo committed at or before
/// <see cref="SafeTime"/> has been applied by the region it is sent to. Travels with every batch and, when the stream is
/// idle, alone as a heartbeat.
/// </summary>
/// <param name="Source">The region of the sending silo.</param>
/// <param name="Silo">The sending silo, as outbox markers name it.</param>
/// <param name="SafeTime">The sender's safe time for the receiving region.</param>
/// <param name="ActiveSilos">
/// The silos of <paramref name="Source"/> its membership does not list as dead (active, joining or shutting down), the sender included: the receiver waits to hear
/// from a silo it does not know yet, and forgets one only once its peers have stopped listing it (see <see cref="ReplicaFreshness"/>).
/// </param>
[GenerateSerializer, Immutable]
internal sealed record SafeTimeReport(
    [property: Id(0)] RegionId Source,
    [property: Id(1)] string Silo,
    [property: Id(2)] HybridTimestamp SafeTime,
    [property: Id(3)] string[] ActiveSilos);

internal static class HybridTimestampOrder
{
    /// <summary>The latest reading ordered before <paramref name="time"/>: a safe time must stay below a change not applied yet.</summary>
    public static HybridTimestamp Before(this HybridTimestamp time) =>
        time.Logical > 0 ? time with { Logical = time.Logical - 1 } : new HybridTimestamp(time.PhysicalMilliseconds - 1, int.MaxValue);

    public static HybridTimestamp Min(HybridTimestamp a, HybridTimestamp b) => a <= b ? a : b;
}
