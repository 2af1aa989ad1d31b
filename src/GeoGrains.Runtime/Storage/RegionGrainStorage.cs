using Orleans.Runtime;
using Orleans.Storage;

namespace GeoGrains.Runtime.Storage;

/// <summary>Orleans grain storage on a <see cref="RegionStorageAccount"/>, with optimistic concurrency on ETags.</summary>
internal sealed class RegionGrainStorage(string name, RegionStorageAccount account, IGrainStorageSerializer serializer) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (account.TryRead(Key(stateName, grainId), out var record))
        {
            grainState.State = serializer.Deserialize<T>(new BinaryData(record.Data))!;
            grainState.ETag = record.ETag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var etag = account.TryWrite(key, serializer.Serialize(grainState.State).ToMemory(), grainState.ETag)
            ?? throw Conflict(key, grainState.ETag);
        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        if (!account.TryDelete(key, grainState.ETag))
        {
            throw Conflict(key, grainState.ETag);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
        return Task.CompletedTask;
    }

    private string Key(string stateName, GrainId grainId) => $"{name}/{stateName}/{grainId}";

    private InconsistentStateException Conflict(string key, string? etag)
    {
        var stored = account.TryRead(key, out var record) ? record.ETag : null;
        return new InconsistentStateException(
            $"Region '{account.Region}' storage '{name}': record '{key}' was changed by another writer (expected ETag '{etag}', stored '{stored}').",
            stored,
            etag,
            null);
    }
}
