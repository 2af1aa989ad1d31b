using System.Collections.Concurrent;
using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Storage;
using Orleans.Serialization;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// What GeoGrains keeps in a region's storage account: the latest known version of every geo grain (owned or
/// replicated), the outbox of versions still to ship to each other region, and the ownership directory.
/// </summary>
internal sealed class GeoStore(RegionStorageAccount account, Serializer serializer)
{
    // Parsed records by key, valid while the stored ETag is the one they were parsed from: reads and version
    // comparisons on the write and apply paths then cost no deserialization.
    private readonly ConcurrentDictionary<string, (string ETag, GeoRecord Record)> _parsed = new(StringComparer.Ordinal);

    private const string RecordPrefix = "geograins/grain/";
    public const string OutboxPrefix = "geograins/outbox/";
    private const string DirectoryKey = "geograins/directory";

    public RegionId Region => account.Region;

    public GeoRecord? Read(GrainId grain) => ReadWithETag(RecordPrefix + grain).Record;

    /// <summary>Stores <paramref name="next"/> if the stored version is still <paramref name="expected"/> (fencing stale owners).</summary>
    public bool TryCommit(GrainId grain, GeoRecord? expected, GeoRecord next)
    {
        var key = RecordPrefix + grain;
        var (etag, currentRecord) = ReadWithETag(key);
        if (!Equals(currentRecord?.Version, expected?.Version) || !Equals(currentRecord?.Epoch, expected?.Epoch) || !next.IsNewerThan(currentRecord))
        {
            return false;
        }

        return Write(key, next, etag);
    }

    /// <summary>Stores a replicated version if it is newer than the stored one. Returns whether it was.</summary>
    public bool ApplyReplica(ReplicatedChange change)
    {
        var key = RecordPrefix + change.Grain;
        while (true)
        {
            var (etag, current) = ReadWithETag(key);
            if (!change.Record.IsNewerThan(current))
            {
                return false;
            }

            if (Write(key, change.Record, etag))
            {
                return true;
            }
        }
    }

    private (string? ETag, GeoRecord? Record) ReadWithETag(string key)
    {
        if (!account.TryRead(key, out var stored))
        {
            return (null, null);
        }

        if (_parsed.TryGetValue(key, out var parsed) && parsed.ETag == stored.ETag)
        {
            return (stored.ETag, parsed.Record);
        }

        var record = serializer.Deserialize<GeoRecord>(stored.Data)!;
        _parsed[key] = (stored.ETag, record);
        return (stored.ETag, record);
    }

    private bool Write(string key, GeoRecord record, string? expectedETag)
    {
        if (account.TryWrite(key, serializer.SerializeToArray(record), expectedETag) is not { } etag)
        {
            return false;
        }

        _parsed[key] = (etag, record);
        return true;
    }

    /// <summary>Records, before the write is acknowledged, that the <paramref name="targets"/> have yet to receive this version.</summary>
    public void AddToOutbox(IEnumerable<RegionId> targets, GrainId grain, GeoRecord record)
    {
        var entry = serializer.SerializeToArray(new OutboxEntry(record.Epoch, record.Version, record.CommittedAt));
        foreach (var target in targets)
        {
            account.Write(OutboxKey(target, grain), entry);
        }
    }

    /// <summary>Removes the outbox entry once <paramref name="target"/> acknowledged this version or a later one.</summary>
    public void RemoveFromOutbox(RegionId target, GrainId grain, GeoRecord acknowledged)
    {
        var key = OutboxKey(target, grain);
        if (account.TryRead(key, out var stored))
        {
            var entry = serializer.Deserialize<OutboxEntry>(stored.Data)!;
            if (!GeoRecord.IsAfter(entry.Epoch, entry.Version, acknowledged.Epoch, acknowledged.Version))
            {
                account.TryDelete(key, stored.ETag);
            }
        }
    }

    /// <summary>The grains with versions still to ship to <paramref name="target"/>.</summary>
    public IEnumerable<(GrainId Grain, OutboxEntry Entry)> Outbox(RegionId target)
    {
        var prefix = $"{OutboxPrefix}{target}/";
        foreach (var key in account.KeysStartingWith(prefix))
        {
            if (account.TryRead(key, out var stored))
            {
                yield return (GrainId.Parse(key[prefix.Length..]), serializer.Deserialize<OutboxEntry>(stored.Data)!);
            }
        }
    }

    public OwnershipTable ReadDirectory() =>
        account.TryRead(DirectoryKey, out var stored) ? serializer.Deserialize<OwnershipTable>(stored.Data)! : OwnershipTable.Empty;

    public void WriteDirectory(OwnershipTable table) => account.Write(DirectoryKey, serializer.SerializeToArray(table));

    private static string OutboxKey(RegionId target, GrainId grain) => $"{OutboxPrefix}{target}/{grain}";
}

/// <summary>A version still to ship.</summary>
[GenerateSerializer, Immutable]
internal sealed record OutboxEntry([property: Id(0)] long Epoch, [property: Id(1)] long Version, [property: Id(2)] HybridTimestamp CommittedAt);
