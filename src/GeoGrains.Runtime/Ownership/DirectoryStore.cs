using GeoGrains.Configuration;
using GeoGrains.Runtime.Topology;
using System.Collections.Immutable;
using System.Globalization;
using GeoGrains.Runtime.Storage;
using Orleans.Serialization;

namespace GeoGrains.Runtime.Ownership;

/// <summary>
/// The layout of the region's ownership directory in the region's table. Every row is in one partition, so that a change
/// is one atomic batch: its entry rows, its log row and the meta row.
/// <list type="bullet">
/// <item><c>m</c>: the <see cref="DirectoryMeta"/> (incarnation, last revision, first revision still logged).</item>
/// <item><c>p|home|bucket</c>: a partition's owner; at most regions × partitions per region rows, so they may be read whole.</item>
/// <item><c>g|grain</c>: a grain's override; read one at a time when asked, never enumerated at start-up.</item>
/// <item><c>l|revision</c>: the entries of one change, keyed by the region's monotonic revision; the oldest are deleted
/// by the changes that push them out of <see cref="OwnershipDirectoryOptions.LogRetention"/>.</item>
/// <item><c>a|region</c>: how far anti-entropy has taken another region's changes (<see cref="PeerCursor"/>).</item>
/// </list>
/// </summary>
internal sealed class DirectoryStore(IRegionTable table, Serializer serializer, OwnershipDirectoryOptions options)
{
    /// <summary>The most entries one change holds, leaving room in a batch for the log row, the meta row and truncation.</summary>
    public const int MaxEntriesPerChange = 64;

    private const string Partition = "d";
    private const string MetaRow = "m";
    private const string PartitionPrefix = "p|";
    private const string GrainPrefix = "g|";
    private const string LogPrefix = "l|";
    private const string PeerPrefix = "a|";
    private const int MaxTruncationPerChange = TableWrite.MaxBatch - MaxEntriesPerChange - 2;

    public RegionId Region => table.Region;

    public async Task<StoredDirectoryMeta> ReadMetaAsync(CancellationToken cancellationToken = default) =>
        await table.ReadAsync(Partition, MetaRow, cancellationToken) is { } row
            ? new StoredDirectoryMeta(serializer.Deserialize<DirectoryMeta>(row.Data)!, row.ETag)
            : StoredDirectoryMeta.Empty;

    /// <summary>Every partition entry: one range query over a bounded number of rows.</summary>
    public async Task<ImmutableDictionary<HomePartition, GrainOwnership>> ReadPartitionsAsync(CancellationToken cancellationToken = default)
    {
        var partitions = ImmutableDictionary.CreateBuilder<HomePartition, GrainOwnership>();
        await foreach (var row in table.QueryAsync(Partition, PartitionPrefix, TableKeys.PrefixEnd(PartitionPrefix), cancellationToken))
        {
            partitions[ParsePartitionKey(row.RowKey)] = serializer.Deserialize<GrainOwnership>(row.Data)!;
        }

        return partitions.ToImmutable();
    }

    /// <summary>One grain's override, or <see langword="null"/>: one point read.</summary>
    public async Task<GrainOwnership?> ReadGrainAsync(string grain, CancellationToken cancellationToken = default) =>
        await table.ReadAsync(Partition, GrainKey(grain), cancellationToken) is { } row ? serializer.Deserialize<GrainOwnership>(row.Data) : null;

    /// <summary>
    /// Up to <paramref name="max"/> overrides in key order after the position <paramref name="after"/> (<see langword="null"/>
    /// or empty: from the first). Only for a region catching up with this one after its log cursor was reset.
    /// </summary>
    public async Task<DirectoryPage> ReadGrainsAsync(string? after, int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);

        // Escaped keys hold no control characters, so the first key after `after` is at least `after` + ' '.
        var from = string.IsNullOrEmpty(after) ? GrainPrefix : GrainPrefix + after + " ";
        var grains = ImmutableDictionary.CreateBuilder<string, GrainOwnership>(StringComparer.Ordinal);
        string? last = null;
        await foreach (var row in table.QueryAsync(Partition, from, TableKeys.PrefixEnd(GrainPrefix), cancellationToken))
        {
            last = row.RowKey[GrainPrefix.Length..];
            grains[TableKeys.Unescape(last)] = serializer.Deserialize<GrainOwnership>(row.Data)!;
            if (grains.Count == max)
            {
                break;
            }
        }

        var page = new OwnershipTable(ImmutableDictionary<HomePartition, GrainOwnership>.Empty, grains.ToImmutable());
        return new DirectoryPage(page, grains.Count == max ? last : null);
    }

    /// <summary>The changes of revisions <paramref name="from"/> to <paramref name="to"/> (inclusive) still in the log, in order.</summary>
    public async Task<List<(long Revision, OwnershipTable Changes)>> ReadLogAsync(long from, long to, CancellationToken cancellationToken = default)
    {
        var changes = new List<(long, OwnershipTable)>();
        if (from > to)
        {
            return changes;
        }

        await foreach (var row in table.QueryAsync(Partition, LogKey(from), LogKey(to + 1), cancellationToken))
        {
            changes.Add((long.Parse(row.RowKey.AsSpan(LogPrefix.Length), CultureInfo.InvariantCulture), serializer.Deserialize<OwnershipTable>(row.Data)!));
        }

        return changes;
    }

    /// <summary>
    /// Records one change as the next revision, in one atomic batch: its entry rows, its log row, the meta row (conditional
    /// on <paramref name="current"/>'s ETag) and the deletion of log rows pushed out of the retention. Fails with
    /// <see cref="TableConditionFailedException"/> when another writer changed the directory since <paramref name="current"/>
    /// was read; nothing is written then.
    /// </summary>
    public async Task<StoredDirectoryMeta> AppendAsync(StoredDirectoryMeta current, OwnershipTable changes, CancellationToken cancellationToken = default)
    {
        if (changes.Count is 0 or > MaxEntriesPerChange)
        {
            throw new ArgumentException($"A directory change holds 1 to {MaxEntriesPerChange} entries, not {changes.Count}.", nameof(changes));
        }

        var meta = current.Meta;
        var revision = meta.Revision + 1;
        var incarnation = current.ETag is null && meta.Revision == 0 ? Guid.NewGuid() : meta.Incarnation;
        var truncate = (int)Math.Clamp(revision - options.LogRetention + 1 - meta.LogStart, 0, MaxTruncationPerChange);
        var next = new DirectoryMeta(incarnation, revision, meta.LogStart + truncate);

        var writes = new List<TableWrite>(changes.Count + 2 + truncate);
        foreach (var (partition, ownership) in changes.Partitions)
        {
            writes.Add(TableWrite.Upsert(Partition, PartitionKey(partition), serializer.SerializeToArray(ownership)));
        }

        foreach (var (grain, ownership) in changes.Grains)
        {
            writes.Add(TableWrite.Upsert(Partition, GrainKey(grain), serializer.SerializeToArray(ownership)));
        }

        writes.Add(TableWrite.Insert(Partition, LogKey(revision), serializer.SerializeToArray(changes)));
        var metaIndex = writes.Count;
        writes.Add(TableWrite.ReplaceOrInsert(Partition, MetaRow, serializer.SerializeToArray(next), current.ETag));
        for (var old = meta.LogStart; old < next.LogStart; old++)
        {
            writes.Add(TableWrite.Delete(Partition, LogKey(old), etag: null));
        }

        var etags = await table.WriteAsync(writes, cancellationToken);
        return new StoredDirectoryMeta(next, etags[metaIndex]);
    }

    public async Task<PeerCursor?> ReadPeerCursorAsync(RegionId peer, CancellationToken cancellationToken = default) =>
        await table.ReadAsync(Partition, PeerPrefix + peer.Value, cancellationToken) is { } row ? serializer.Deserialize<PeerCursor>(row.Data) : null;

    public async Task WritePeerCursorAsync(RegionId peer, PeerCursor cursor, CancellationToken cancellationToken = default) =>
        await table.WriteAsync([TableWrite.Upsert(Partition, PeerPrefix + peer.Value, serializer.SerializeToArray(cursor))], cancellationToken);

    private static string GrainKey(string grain) => GrainPrefix + TableKeys.Escape(grain);

    // Fixed width, so that key order is revision order.
    private static string LogKey(long revision) => LogPrefix + revision.ToString("D19", CultureInfo.InvariantCulture);

    private static string PartitionKey(HomePartition partition) =>
        $"{PartitionPrefix}{partition.Home.Value}|{partition.Bucket.ToString("D10", CultureInfo.InvariantCulture)}";

    private static HomePartition ParsePartitionKey(string key)
    {
        var separator = key.LastIndexOf('|');
        return new HomePartition(
            RegionId.Parse(key[PartitionPrefix.Length..separator]),
            int.Parse(key.AsSpan(separator + 1), CultureInfo.InvariantCulture));
    }
}
