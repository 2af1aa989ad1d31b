using System.Collections.Concurrent;

namespace GeoGrains.Runtime.Storage;

/// <summary>
/// A region's storage account held in memory: the default store of a region. It lives outside the silos that use it,
/// as a cloud storage account outlives its VMs, so stopping or killing every silo of a region keeps the data;
/// <see cref="Wipe"/> simulates losing the account. Each region must have its own.
/// </summary>
public sealed class RegionStorageAccount(RegionId region)
{
    private readonly ConcurrentDictionary<string, StoredRecord> _records = new(StringComparer.Ordinal);

    /// <summary>The region this account belongs to.</summary>
    public RegionId Region { get; } = region;

    /// <summary>The number of records stored.</summary>
    public int Count => _records.Count;

    /// <summary>The keys of the records stored.</summary>
    public IReadOnlyCollection<string> Keys => [.. _records.Keys];

    /// <summary>The keys that start with <paramref name="prefix"/>.</summary>
    public IEnumerable<string> KeysStartingWith(string prefix) => _records.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>Writes a record whatever is stored, returning its new ETag.</summary>
    public string Write(string key, ReadOnlyMemory<byte> data)
    {
        var record = new StoredRecord(data.ToArray(), Guid.NewGuid().ToString("N"));
        _records[key] = record;
        return record.ETag;
    }

    /// <summary>Deletes everything in the account.</summary>
    public void Wipe() => _records.Clear();

    /// <summary>Reads a record, if present.</summary>
    public bool TryRead(string key, out StoredRecord record) => _records.TryGetValue(key, out record!);

    /// <summary>
    /// Writes a record if the stored one still has <paramref name="expectedETag"/> (<see langword="null"/>: none stored).
    /// Returns the new ETag, or <see langword="null"/> when the condition failed and nothing was written.
    /// </summary>
    public string? TryWrite(string key, ReadOnlyMemory<byte> data, string? expectedETag)
    {
        var record = new StoredRecord(data.ToArray(), Guid.NewGuid().ToString("N"));
        if (expectedETag is null)
        {
            return _records.TryAdd(key, record) ? record.ETag : null;
        }

        if (!_records.TryGetValue(key, out var current) || current.ETag != expectedETag)
        {
            return null;
        }

        return _records.TryUpdate(key, record, current) ? record.ETag : null;
    }

    /// <summary>Deletes a record if the stored one still has <paramref name="expectedETag"/>. Returns whether the condition held.</summary>
    public bool TryDelete(string key, string? expectedETag)
    {
        if (!_records.TryGetValue(key, out var current))
        {
            return expectedETag is null;
        }

        return current.ETag == expectedETag && _records.TryRemove(new KeyValuePair<string, StoredRecord>(key, current));
    }
}

/// <summary>A stored record: its bytes and the ETag of this version.</summary>
public sealed record StoredRecord(byte[] Data, string ETag);
