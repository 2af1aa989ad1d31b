using GeoGrains.Runtime.Storage;
using Orleans.Serialization;

namespace GeoGrains.Benchmarks;

/// <summary>
/// Writes geo grain records and outbox markers straight into a region's table, in atomic batches of up to 100 rows of
/// one partition, with the layout <see cref="GeoStore"/> reads: the record <c>r|grain</c> and the marker <c>o|grain</c>
/// in the grain's partition. Filling a region with 100,000 grains takes seconds this way; through grains, one commit at a
/// time, it would take many minutes. Callers check the layout by reading rows back through a <see cref="GeoStore"/>.
/// </summary>
internal sealed class GeoRowWriter(IRegionTable table, GeoStore layout, Serializer serializer)
{
    private const string RecordPrefix = "r|";
    private const string MarkerPrefix = "o|";

    // Batches in flight: enough to keep the storage busy, few enough not to starve the silos sharing the machine.
    private const int Parallelism = 4;

    /// <summary>Stores <paramref name="record"/> as the version of every grain in <paramref name="grains"/>.</summary>
    public Task WriteRecordsAsync(IReadOnlyList<GrainId> grains, GeoRecord record) =>
        WriteAsync(grains, RecordPrefix, serializer.SerializeToArray(record));

    /// <summary>Stores <paramref name="marker"/> as the outbox marker of every grain in <paramref name="grains"/> (a new ETag each time).</summary>
    public Task WriteMarkersAsync(IReadOnlyList<GrainId> grains, OutboxMarker marker) =>
        WriteAsync(grains, MarkerPrefix, serializer.SerializeToArray(marker));

    private async Task WriteAsync(IReadOnlyList<GrainId> grains, string prefix, byte[] data)
    {
        var batches = grains
            .GroupBy(layout.PartitionOf)
            .SelectMany(partition => partition.Chunk(TableWrite.MaxBatch).Select(chunk =>
                chunk.Select(grain => TableWrite.Upsert(partition.Key, prefix + TableKeys.Escape(grain.ToString()), data)).ToArray()))
            .ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (batch, cancellationToken) =>
            await table.WriteAsync(batch, cancellationToken));
    }
}
