using Orleans.Runtime;
using Orleans.Storage;

namespace GeoGrains.Runtime.Storage;

/// <summary>Orleans grain storage on a region's in-memory table, with optimistic concurrency on ETags.</summary>
internal sealed class RegionGrainStorage(string name, IRegionTable table, IGrainStorageSerializer serializer) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (await table.ReadAsync(Partition, Row(stateName, grainId)) is { } row)
        {
            grainState.State = serializer.Deserialize<T>(new BinaryData(row.Data))!;
            grainState.ETag = row.ETag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var row = Row(stateName, grainId);
        try
        {
            var etags = await table.WriteAsync([TableWrite.ReplaceOrInsert(Partition, row, serializer.Serialize(grainState.State).ToArray(), grainState.ETag)]);
            grainState.ETag = etags[0];
            grainState.RecordExists = true;
        }
        catch (TableConditionFailedException exception)
        {
            throw await ConflictAsync(row, grainState.ETag, exception);
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var row = Row(stateName, grainId);
        if (grainState.ETag is not null)
        {
            try
            {
                await table.WriteAsync([TableWrite.Delete(Partition, row, grainState.ETag)]);
            }
            catch (TableConditionFailedException exception)
            {
                throw await ConflictAsync(row, grainState.ETag, exception);
            }
        }
        else if (await table.ReadAsync(Partition, row) is { } stored)
        {
            throw new InconsistentStateException(
                $"Region '{table.Region}' storage '{name}': record '{row}' exists (ETag '{stored.ETag}') but the grain holds none.", stored.ETag, (string?)null);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    private string Partition => $"s|{TableKeys.Escape(name)}";

    private static string Row(string stateName, GrainId grainId) => TableKeys.Escape($"{stateName}/{grainId}");

    private async Task<InconsistentStateException> ConflictAsync(string row, string? etag, Exception cause)
    {
        var stored = (await table.ReadAsync(Partition, row))?.ETag;
        return new InconsistentStateException(
            $"Region '{table.Region}' storage '{name}': record '{row}' was changed by another writer (expected ETag '{etag}', stored '{stored}').",
            stored,
            etag,
            cause);
    }
}
