using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;

namespace GeoGrains.Runtime.Storage;

/// <summary>
/// An <see cref="IRegionTable"/> on Azure Table storage (or Azurite). A row's bytes are kept in binary properties
/// <c>D0</c>, <c>D1</c>, … of at most 64 KiB each, Azure's limit per property; an entity holds at most 1 MiB, so a row
/// holds at most <see cref="MaxRowBytes"/>. Atomic batches are entity group transactions.
/// </summary>
internal sealed class AzureRegionTable : IRegionTable
{
    /// <summary>Azure's limit on one binary property.</summary>
    public const int ChunkBytes = 64 * 1024;

    /// <summary>
    /// Chunks per row. Azure counts a binary property at its size (so 15 chunks would fit its 1 MiB per entity), but
    /// Azurite, which the tests run on, counts the entity's JSON, where bytes are base64 (4/3 larger): 11 × 64 KiB is
    /// about 940 KiB of JSON, 12 would exceed 1 MiB. One limit for both, so a row that works in tests works in Azure.
    /// </summary>
    public const int MaxChunks = 11;

    /// <summary>The largest row this table stores.</summary>
    public const int MaxRowBytes = ChunkBytes * MaxChunks;

    /// <summary>Azure's limit on the body of one entity group transaction.</summary>
    private const int MaxBatchPayloadBytes = 4 * 1024 * 1024;

    private static readonly string[] ChunkNames = [.. Enumerable.Range(0, MaxChunks).Select(i => $"D{i}")];

    private readonly TableClient _table;
    private readonly RegionStorageMetrics _metrics;
    private readonly int _pageSize;

    /// <summary>Creates the table client; nothing is sent until the first operation.</summary>
    /// <param name="region">The region the table belongs to.</param>
    /// <param name="service">The region's account.</param>
    /// <param name="tableName">The table, a valid Azure table name.</param>
    /// <param name="metrics">Where round trips are counted.</param>
    /// <param name="pageSize">Rows per query page (Azure returns at most 1000).</param>
    public AzureRegionTable(RegionId region, TableServiceClient service, string tableName, RegionStorageMetrics metrics, int pageSize = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 1000);
        Region = region;
        _table = service.GetTableClient(tableName);
        _metrics = metrics;
        _pageSize = pageSize;
        Description = $"Azure Table '{tableName}' at {AzureTableSettings.Endpoint(service)}";
    }

    public RegionId Region { get; }

    public string Description { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _table.CreateIfNotExistsAsync(cancellationToken);
        }
        catch (Exception exception) when (IsStorageFailure(exception, cancellationToken))
        {
            throw Failure(exception);
        }
    }

    public async Task<TableRow?> ReadAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        NullableResponse<TableEntity> response;
        try
        {
            response = await _table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
        }
        catch (Exception exception) when (IsStorageFailure(exception, cancellationToken))
        {
            throw Failure(exception);
        }

        _metrics.Read(Region);
        return response.HasValue ? ToRow(response.Value!) : null;
    }

    public async IAsyncEnumerable<TableRow> QueryAsync(
        string partitionKey, string fromRowKey, string toRowKey, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {fromRowKey} and RowKey lt {toRowKey}");
        var pages = _table.QueryAsync<TableEntity>(filter, _pageSize, cancellationToken: cancellationToken).AsPages(pageSizeHint: _pageSize);
        await using var enumerator = pages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await enumerator.MoveNextAsync();
            }
            catch (Exception exception) when (IsStorageFailure(exception, cancellationToken))
            {
                throw Failure(exception);
            }

            if (!more)
            {
                yield break;
            }

            _metrics.Query(Region);
            foreach (var entity in enumerator.Current.Values)
            {
                yield return ToRow(entity);
            }
        }
    }

    public async Task<string?[]> WriteAsync(IReadOnlyList<TableWrite> writes, CancellationToken cancellationToken = default)
    {
        TableWrite.Validate(writes);
        var entities = new TableEntity?[writes.Count];
        long payload = 0;
        for (var i = 0; i < writes.Count; i++)
        {
            entities[i] = ToEntity(writes[i]);
            payload += 1024 + ((writes[i].Data?.LongLength ?? 0) + 2) / 3 * 4;
        }

        if (writes.Count > 1 && payload > MaxBatchPayloadBytes)
        {
            throw new RegionStorageException(
                Region, Description, $"a batch of {writes.Count} rows is about {payload:N0} bytes on the wire; Azure accepts at most {MaxBatchPayloadBytes:N0} per transaction.");
        }

        return writes.Count == 1
            ? [await WriteOneAsync(writes[0], entities[0], cancellationToken)]
            : await WriteBatchAsync(writes, entities, cancellationToken);
    }

    private async Task<string?> WriteOneAsync(TableWrite write, TableEntity? entity, CancellationToken cancellationToken)
    {
        Response response;
        try
        {
            response = write.Kind switch
            {
                TableWriteKind.Insert => await _table.AddEntityAsync(entity!, cancellationToken),
                TableWriteKind.Replace => await _table.UpdateEntityAsync(entity!, ETagOf(write), TableUpdateMode.Replace, cancellationToken),
                TableWriteKind.Upsert => await _table.UpsertEntityAsync(entity!, TableUpdateMode.Replace, cancellationToken),
                _ => await _table.DeleteEntityAsync(write.PartitionKey, write.RowKey, ETagOf(write), cancellationToken),
            };
        }
        catch (RequestFailedException exception) when (ConditionFailed(write, exception))
        {
            _metrics.Write(Region, 1);
            throw new TableConditionFailedException(Region, write, Reason(exception));
        }
        catch (Exception exception) when (IsStorageFailure(exception, cancellationToken))
        {
            throw Failure(exception);
        }

        _metrics.Write(Region, 1);

        // The SDK reports a delete of a missing row as a response, not an exception.
        if (write.Kind == TableWriteKind.Delete)
        {
            return response.Status == 404
                ? throw new TableConditionFailedException(Region, write, "the row is missing (404)")
                : null;
        }

        return response.Headers.ETag?.ToString() ?? throw Failure(new InvalidOperationException($"Azure answered the {write.Kind} of '{write.PartitionKey}/{write.RowKey}' without an ETag."));
    }

    private async Task<string?[]> WriteBatchAsync(IReadOnlyList<TableWrite> writes, TableEntity?[] entities, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction>(writes.Count);
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            actions.Add(write.Kind switch
            {
                TableWriteKind.Insert => new TableTransactionAction(TableTransactionActionType.Add, entities[i]!),
                TableWriteKind.Replace => new TableTransactionAction(TableTransactionActionType.UpdateReplace, entities[i]!, ETagOf(write)),
                TableWriteKind.Upsert => new TableTransactionAction(TableTransactionActionType.UpsertReplace, entities[i]!),
                _ => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(write.PartitionKey, write.RowKey), ETagOf(write)),
            });
        }

        Response<IReadOnlyList<Response>> response;
        try
        {
            response = await _table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (TableTransactionFailedException exception) when (FailedWrite(writes, exception) is { } failed)
        {
            _metrics.Write(Region, writes.Count);
            throw new TableConditionFailedException(Region, failed, Reason(exception));
        }
        catch (Exception exception) when (IsStorageFailure(exception, cancellationToken))
        {
            throw Failure(exception);
        }

        _metrics.Write(Region, writes.Count);
        var etags = new string?[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            if (writes[i].Kind != TableWriteKind.Delete)
            {
                etags[i] = response.Value[i].Headers.ETag?.ToString()
                    ?? throw Failure(new InvalidOperationException($"Azure answered the {writes[i].Kind} of '{writes[i].PartitionKey}/{writes[i].RowKey}' in a transaction without an ETag."));
            }
        }

        return etags;
    }

    /// <summary>The write whose condition failed, or <see langword="null"/> when the transaction failed for another reason.</summary>
    private static TableWrite? FailedWrite(IReadOnlyList<TableWrite> writes, TableTransactionFailedException exception)
    {
        if (exception.FailedTransactionActionIndex is { } index && index >= 0 && index < writes.Count)
        {
            return ConditionFailed(writes[index], exception) ? writes[index] : null;
        }

        return writes.FirstOrDefault(w => ConditionFailed(w, exception));
    }

    /// <summary>
    /// Whether Azure refused <paramref name="write"/> because its condition does not hold: a stale ETag (412), an insert
    /// of an existing row (409), a replace or delete of a missing row (404, but not a missing table).
    /// </summary>
    private static bool ConditionFailed(TableWrite write, RequestFailedException exception) => exception.Status switch
    {
        412 => write.Kind is TableWriteKind.Replace or TableWriteKind.Delete,
        409 => write.Kind == TableWriteKind.Insert && exception.ErrorCode is null or "EntityAlreadyExists",
        404 => write.Kind is TableWriteKind.Replace or TableWriteKind.Delete && exception.ErrorCode is not "TableNotFound",
        _ => false,
    };

    private static ETag ETagOf(TableWrite write) => write.ETag is null ? ETag.All : new ETag(write.ETag);

    private static string Reason(RequestFailedException exception) =>
        exception.ErrorCode is { } code ? $"{code} ({exception.Status})" : $"status {exception.Status}";

    private TableEntity? ToEntity(TableWrite write)
    {
        if (write.Kind == TableWriteKind.Delete)
        {
            return null;
        }

        var data = write.Data!;
        if (data.Length > MaxRowBytes)
        {
            throw new RegionStorageException(
                Region,
                Description,
                $"row '{write.PartitionKey}/{write.RowKey}' is {data.Length:N0} bytes; an Azure table row holds at most {MaxRowBytes:N0} ({MaxChunks} properties of 64 KiB, within the 1 MiB an entity may take).");
        }

        var entity = new TableEntity(write.PartitionKey, write.RowKey);
        for (int offset = 0, chunk = 0; offset < data.Length; offset += ChunkBytes, chunk++)
        {
            entity[ChunkNames[chunk]] = data.AsSpan(offset, Math.Min(ChunkBytes, data.Length - offset)).ToArray();
        }

        return entity;
    }

    private TableRow ToRow(TableEntity entity)
    {
        var chunks = new List<byte[]>();
        var length = 0;
        foreach (var name in ChunkNames)
        {
            if (!entity.TryGetValue(name, out var value) || value is null)
            {
                break;
            }

            var chunk = value switch
            {
                byte[] bytes => bytes,
                BinaryData binary => binary.ToArray(),
                string base64 => Convert.FromBase64String(base64),
                _ => throw new RegionStorageException(
                    Region, Description, $"row '{entity.PartitionKey}/{entity.RowKey}' property {name} is a {value.GetType().Name}, not binary; the table holds rows GeoGrains did not write."),
            };
            chunks.Add(chunk);
            length += chunk.Length;
        }

        var data = new byte[length];
        var at = 0;
        foreach (var chunk in chunks)
        {
            chunk.CopyTo(data, at);
            at += chunk.Length;
        }

        return new TableRow(entity.PartitionKey, entity.RowKey, data, entity.ETag.ToString());
    }

    /// <summary>Every failure but the caller's own cancellation is the storage's: unreachable, refusing, timing out.</summary>
    private static bool IsStorageFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is not TableConditionFailedException and not RegionStorageException
        && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private RegionStorageException Failure(Exception exception)
    {
        var reason = exception switch
        {
            RequestFailedException { Status: 0 } failed => $"the storage did not answer ({failed.InnerException?.Message ?? failed.Message})",
            RequestFailedException failed => $"the storage refused the request: {Reason(failed)}",
            OperationCanceledException => $"the storage did not answer within {AzureTableSettings.NetworkTimeout.TotalSeconds:0} s ({AzureTableSettings.MaxRetries + 1} attempts)",
            AggregateException aggregate => $"the storage did not answer ({aggregate.InnerExceptions.FirstOrDefault()?.Message ?? aggregate.Message})",
            _ => exception.Message,
        };
        return new RegionStorageException(Region, Description, reason, exception);
    }
}
