using GeoGrains.Runtime.Storage;
using System.IO.Compression;
using Orleans.Serialization;

namespace GeoGrains.Runtime.Replication;

/// <summary>Changes shipped together from one region to another, serialized and, by default, compressed.</summary>
[GenerateSerializer, Immutable]
internal sealed record ReplicationBatch(
    [property: Id(0)] RegionId Source,
    [property: Id(1)] long Sequence,
    [property: Id(2)] int Count,
    [property: Id(3)] bool Compressed,
    [property: Id(4)] byte[] Payload,
    [property: Id(5)] SafeTimeReport? Freshness = null);

/// <summary>
/// What the receiver did with a batch. <see cref="NeedWholeState"/> names the grains whose delta it could not join (its
/// stored version has not seen the one the delta was taken against): those changes are not applied, and the sender
/// ships them again whole. <see cref="Refused"/> names the grains whose change the receiver did not take into the
/// grain's lineage it holds (it holds a newer owner's epoch that did not continue from the change: see
/// <see cref="Lineage.Holds"/>): delivered, but no acknowledgement toward a write waiting for it.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record ReplicationAck(
    [property: Id(0)] int Applied,
    [property: Id(1)] int Stale,
    [property: Id(2)] GrainId[]? NeedWholeState = null,
    [property: Id(3)] GrainId[]? Refused = null);

/// <summary>Packs changes into batches and back.</summary>
internal sealed class ReplicationBatchCodec(Serializer serializer)
{
    public ReplicationBatch Encode(RegionId source, long sequence, IReadOnlyList<ReplicatedChange> changes, bool compress, out int rawBytes, SafeTimeReport? freshness = null)
    {
        var raw = serializer.SerializeToArray(changes.ToArray());
        rawBytes = raw.Length;
        if (!compress)
        {
            return new ReplicationBatch(source, sequence, changes.Count, false, raw, freshness);
        }

        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            brotli.Write(raw);
        }

        return new ReplicationBatch(source, sequence, changes.Count, true, output.ToArray(), freshness);
    }

    public ReplicatedChange[] Decode(ReplicationBatch batch)
    {
        var raw = batch.Payload;
        if (batch.Compressed)
        {
            using var input = new BrotliStream(new MemoryStream(batch.Payload), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            raw = output.ToArray();
        }

        var changes = serializer.Deserialize<ReplicatedChange[]>(raw) ?? [];
        if (changes.Length != batch.Count)
        {
            throw new InvalidDataException($"Replication batch {batch.Sequence} from '{batch.Source}' holds {changes.Length} changes, not the {batch.Count} it declares.");
        }

        return changes;
    }
}
