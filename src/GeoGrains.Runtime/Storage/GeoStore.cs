using GeoGrains.Runtime.Topology;
using System.Runtime.CompilerServices;
using GeoGrains.Runtime.Storage;
using Orleans.Serialization;

namespace GeoGrains.Runtime.Storage;

/// <summary>
/// The layout of geo grain records and the outbox in a region's table. A grain's record ("r|grain") and its outbox
/// marker ("o|grain": versions of it still to ship) share a partition, so a commit makes both durable in one atomic
/// write, and recovery finds every pending change with one range query per partition, without reading any record
/// that has nothing to ship. One more row ("a|outbox-adoptions", in the first partition) records which live silo adopted
/// the markers of each silo that is gone (<see cref="OutboxAdoptions"/>).
/// </summary>
internal sealed class GeoStore(IRegionTable table, Serializer serializer, int partitions)
{
    private const string RecordPrefix = "r|";
    private const string MarkerPrefix = "o|";
    private const string AdoptionsKey = "a|outbox-adoptions";

    public RegionId Region => table.Region;

    /// <summary>How many record partitions the region has.</summary>
    public int Partitions => partitions;

    public string PartitionOf(GrainId grain) => PartitionKey((int)(KeyHash.Of(grain.ToString()) % (uint)partitions));

    public static string PartitionKey(int partition) => $"g{partition:x3}";

    /// <summary>The stored version of <paramref name="grain"/> and its ETag, or <see langword="null"/>.</summary>
    public async Task<StoredGeoRecord?> ReadAsync(GrainId grain, CancellationToken cancellationToken = default)
    {
        var row = await table.ReadAsync(PartitionOf(grain), RecordKey(grain), cancellationToken);
        return row is null ? null : new StoredGeoRecord(serializer.Deserialize<GeoRecord>(row.Data)!, row.ETag);
    }

    /// <summary>
    /// Stores <paramref name="next"/> if the stored record still has <paramref name="expectedETag"/> (<see langword="null"/>:
    /// none stored), which fences a stale writer; with a <paramref name="marker"/>, writes it in the same atomic batch, and
    /// <paramref name="alongside"/> too (a row of the grain's partition, e.g. a reconciliation record; its condition joins the fence).
    /// Returns the new ETags of the record and the marker, or <see langword="null"/> when the fence held the write back.
    /// </summary>
    public async Task<(string Record, string? Marker)?> TryCommitAsync(
        GrainId grain, GeoRecord next, string? expectedETag, OutboxMarker? marker, TableWrite? alongside = null, CancellationToken cancellationToken = default)
    {
        var partition = PartitionOf(grain);
        var record = TableWrite.ReplaceOrInsert(partition, RecordKey(grain), serializer.SerializeToArray(next), expectedETag);
        List<TableWrite> writes = [record];
        if (marker is not null)
        {
            writes.Add(TableWrite.Upsert(partition, MarkerKey(grain), serializer.SerializeToArray(marker)));
        }

        if (alongside is not null)
        {
            writes.Add(alongside.PartitionKey == partition ? alongside : throw new ArgumentException(
                $"A write committed with geo grain '{grain}' must be in its partition '{partition}', not '{alongside.PartitionKey}'.", nameof(alongside)));
        }

        try
        {
            var etags = await table.WriteAsync(writes, cancellationToken);
            return (etags[0]!, marker is null ? null : etags[1]);
        }
        catch (TableConditionFailedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Stores replicated versions that are newer than the stored ones. <paramref name="known"/> holds the ETags and versions
    /// this silo last saw, so an apply usually costs one write per partition and no read. A change for which
    /// <paramref name="holdBack"/> (given the stored version and the change) says so is neither stored nor skipped but
    /// returned as held back: the stored version must go somewhere first.
    /// </summary>
    public async Task<ReplicaApplyResult> ApplyReplicasAsync(
        IReadOnlyList<ReplicatedChange> changes, ReplicaVersions known, Func<GeoRecord, GeoRecord, bool>? holdBack = null, ReplicaApplyResult? into = null,
        CancellationToken cancellationToken = default)
    {
        // Given by a caller that must know what was stored even when a partition fails and this throws.
        var result = into ?? new ReplicaApplyResult();

        // Partitions are independent transactions: applied side by side, a batch costs one storage round trip, not one per
        // partition it touches, and the receiver keeps up with a stream spread over every partition.
        await Task.WhenAll(changes.GroupBy(c => PartitionOf(c.Grain)).Select(group => ApplyPartitionAsync(group.Key, group, known, holdBack, result, cancellationToken)));
        return result;
    }

    private async Task ApplyPartitionAsync(
        string partition, IEnumerable<ReplicatedChange> changes, ReplicaVersions known, Func<GeoRecord, GeoRecord, bool>? holdBack,
        ReplicaApplyResult result, CancellationToken cancellationToken)
    {
        // A batch may carry a grain twice (a retry beside a newer version): only the newest can matter.
        var newest = changes.GroupBy(c => c.Grain).Select(g => g.Aggregate((a, b) => b.Record.IsNewerThan(a.Record) ? b : a)).ToList();
        foreach (var chunk in newest.Chunk(TableWrite.MaxBatch))
        {
            var writes = new List<TableWrite>(chunk.Length);
            var chosen = new List<ReplicatedChange>(chunk.Length);
            foreach (var change in chunk)
            {
                var current = known.Get(change.Grain) ?? await ReadAsync(change.Grain, cancellationToken);
                if (current is not null && !change.Record.IsNewerThan(current.Record))
                {
                    known.Set(change.Grain, current);
                    result.Skip(change, current.Record);
                    continue;
                }

                if (current is not null && holdBack?.Invoke(current.Record, change.Record) == true)
                {
                    result.HoldBack(change, current.Record);
                    continue;
                }

                writes.Add(TableWrite.ReplaceOrInsert(partition, RecordKey(change.Grain), serializer.SerializeToArray(change.Record), current?.ETag));
                chosen.Add(change);
            }

            if (writes.Count == 0)
            {
                continue;
            }

            try
            {
                var etags = await table.WriteAsync(writes, cancellationToken);
                for (var i = 0; i < chosen.Count; i++)
                {
                    var stored = new StoredGeoRecord(chosen[i].Record, etags[i]!);
                    known.Set(chosen[i].Grain, stored);
                    result.Apply(chosen[i].Grain, stored);
                }
            }
            catch (TableConditionFailedException)
            {
                // Another silo of this region, or another batch, applied some of them meanwhile: one at a time, from what is stored.
                foreach (var change in chosen)
                {
                    known.Forget(change.Grain);
                    await ApplyOneAsync(change, known, holdBack, result, cancellationToken);
                }
            }
        }
    }

    private async Task ApplyOneAsync(
        ReplicatedChange change, ReplicaVersions known, Func<GeoRecord, GeoRecord, bool>? holdBack, ReplicaApplyResult result, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = await ReadAsync(change.Grain, cancellationToken);
            if (current is not null && !change.Record.IsNewerThan(current.Record))
            {
                known.Set(change.Grain, current);
                result.Skip(change, current.Record);
                return;
            }

            if (current is not null && holdBack?.Invoke(current.Record, change.Record) == true)
            {
                result.HoldBack(change, current.Record);
                return;
            }

            var written = await TryCommitAsync(change.Grain, change.Record, current?.ETag, marker: null, cancellationToken: cancellationToken);
            if (written is { } etags)
            {
                var stored = new StoredGeoRecord(change.Record, etags.Record);
                known.Set(change.Grain, stored);
                result.Apply(change.Grain, stored);
                return;
            }
        }
    }

    /// <summary>
    /// Deletes outbox markers whose versions every region acknowledged, each only if it still has the ETag given (a newer
    /// commit rewrote it otherwise, and it must stay). Returns how many were deleted.
    /// </summary>
    public async Task<int> DeleteMarkersAsync(IReadOnlyList<(GrainId Grain, string ETag)> markers, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        foreach (var group in markers.GroupBy(m => PartitionOf(m.Grain)))
        {
            foreach (var chunk in group.DistinctBy(m => m.Grain).Chunk(TableWrite.MaxBatch))
            {
                try
                {
                    await table.WriteAsync([.. chunk.Select(m => TableWrite.Delete(group.Key, MarkerKey(m.Grain), m.ETag))], cancellationToken);
                    deleted += chunk.Length;
                }
                catch (TableConditionFailedException) when (chunk.Length > 1)
                {
                    foreach (var marker in chunk)
                    {
                        try
                        {
                            await table.WriteAsync([TableWrite.Delete(group.Key, MarkerKey(marker.Grain), marker.ETag)], cancellationToken);
                            deleted++;
                        }
                        catch (TableConditionFailedException)
                        {
                            // Rewritten by a newer commit, or gone already.
                        }
                    }
                }
                catch (TableConditionFailedException)
                {
                    // Rewritten by a newer commit, or gone already.
                }
            }
        }

        return deleted;
    }

    /// <summary>The region's record of which silos adopted the markers of silos that are gone, and its ETag (<see langword="null"/>: none stored).</summary>
    public async Task<(OutboxAdoptions Adoptions, string? ETag)> ReadAdoptionsAsync(CancellationToken cancellationToken = default) =>
        await table.ReadAsync(PartitionKey(0), AdoptionsKey, cancellationToken) is { } row
            ? (serializer.Deserialize<OutboxAdoptions>(row.Data)!, row.ETag)
            : (OutboxAdoptions.None, null);

    /// <summary>
    /// Stores <paramref name="adoptions"/> if the stored record still has <paramref name="etag"/> (<see langword="null"/>:
    /// none stored). Returns whether it did: of two silos planning from the same record, one does.
    /// </summary>
    public async Task<bool> TryWriteAdoptionsAsync(OutboxAdoptions adoptions, string? etag, CancellationToken cancellationToken = default)
    {
        try
        {
            await table.WriteAsync([TableWrite.ReplaceOrInsert(PartitionKey(0), AdoptionsKey, serializer.SerializeToArray(adoptions), etag)], cancellationToken);
            return true;
        }
        catch (TableConditionFailedException)
        {
            return false;
        }
    }

    /// <summary>The outbox marker of <paramref name="grain"/> and its ETag, or <see langword="null"/>.</summary>
    public async Task<(OutboxMarker Marker, string ETag)?> ReadMarkerAsync(GrainId grain, CancellationToken cancellationToken = default) =>
        await table.ReadAsync(PartitionOf(grain), MarkerKey(grain), cancellationToken) is { } row
            ? (serializer.Deserialize<OutboxMarker>(row.Data)!, row.ETag)
            : null;

    /// <summary>Every outbox marker of the region: one range query per partition, never a read of a record.</summary>
    public async IAsyncEnumerable<(GrainId Grain, OutboxMarker Marker, string ETag)> PendingAsync(
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var partition = 0; partition < partitions; partition++)
        {
            await foreach (var pending in PendingAsync(partition, cancellationToken))
            {
                yield return pending;
            }
        }
    }

    /// <summary>The outbox markers of one partition: the grains with versions still to ship.</summary>
    public async IAsyncEnumerable<(GrainId Grain, OutboxMarker Marker, string ETag)> PendingAsync(
        int partition, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in table.QueryAsync(PartitionKey(partition), MarkerPrefix, TableKeys.PrefixEnd(MarkerPrefix), cancellationToken))
        {
            yield return (GrainId.Parse(TableKeys.Unescape(row.RowKey[MarkerPrefix.Length..])), serializer.Deserialize<OutboxMarker>(row.Data)!, row.ETag);
        }
    }

    private static string RecordKey(GrainId grain) => RecordPrefix + TableKeys.Escape(grain.ToString());

    private static string MarkerKey(GrainId grain) => MarkerPrefix + TableKeys.Escape(grain.ToString());
}

/// <summary>
/// What <see cref="GeoStore.ApplyReplicasAsync"/> did with each change: stored it, skipped it (the stored version, given,
/// is as new or newer), or held it back (the stored version, given, must go elsewhere first). Safe to fill from the
/// partitions applied side by side.
/// </summary>
internal sealed class ReplicaApplyResult
{
    private readonly List<(GrainId Grain, StoredGeoRecord Stored)> _applied = [];
    private readonly List<(ReplicatedChange Change, GeoRecord Stored)> _skipped = [];
    private readonly List<(ReplicatedChange Change, GeoRecord Stored)> _heldBack = [];

    public List<(GrainId Grain, StoredGeoRecord Stored)> Applied
    {
        get { lock (_applied) return [.. _applied]; }
    }

    public List<(ReplicatedChange Change, GeoRecord Stored)> Skipped
    {
        get { lock (_applied) return [.. _skipped]; }
    }

    public List<(ReplicatedChange Change, GeoRecord Stored)> HeldBack
    {
        get { lock (_applied) return [.. _heldBack]; }
    }

    public void Apply(GrainId grain, StoredGeoRecord stored)
    {
        lock (_applied) _applied.Add((grain, stored));
    }

    public void Skip(ReplicatedChange change, GeoRecord stored)
    {
        lock (_applied) _skipped.Add((change, stored));
    }

    public void HoldBack(ReplicatedChange change, GeoRecord stored)
    {
        lock (_applied) _heldBack.Add((change, stored));
    }
}

/// <summary>A stored version and the ETag of its row.</summary>
internal sealed record StoredGeoRecord(GeoRecord Record, string ETag);

/// <summary>
/// The outbox entry of a grain: it has versions, at least <see cref="Version"/>, still to ship to <see cref="Targets"/>.
/// Written in the same atomic batch as the record it announces; <see cref="Silo"/> is the silo that ships it, so that the
/// others resume it only once that silo is gone.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record OutboxMarker(
    [property: Id(0)] long Epoch,
    [property: Id(1)] long Version,
    [property: Id(2)] HybridTimestamp CommittedAt,
    [property: Id(3)] string Silo,
    [property: Id(4)] RegionId[] Targets);
