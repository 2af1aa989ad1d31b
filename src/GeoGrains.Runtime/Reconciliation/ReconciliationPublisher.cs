using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace GeoGrains.Runtime.Reconciliation;

/// <summary>Announces the reconciliations this region made: in its log and on its <see cref="ReconciliationStream"/>.</summary>
internal sealed class ReconciliationPublisher(LocalRegion region, IServiceProvider services, ILogger<ReconciliationPublisher> logger)
{
    private IAsyncStream<ReconciliationRecord>? _stream;
    private IAsyncStream<ConflictRecord>? _conflicts;

    /// <summary>Announces a record just made (logged, and published on the region's stream).</summary>
    public async Task PublishAsync(ReconciliationRecord record)
    {
        logger.LogInformation("Region {Region} reconciled orphaned version {Orphan} of {Grain} with {Current}: {Outcome} {Result} {Detail}",
            region.Id, record.Orphaned, record.Grain, record.Current, record.Outcome, record.Result, record.Detail);
        try
        {
            _stream ??= RegionStreams.Of<ReconciliationRecord>(services, ReconciliationStream.ProviderName, ReconciliationStream.Namespace, region.Id);
            await _stream.OnNextAsync(record);

            // And as an entry of the conflict feed, on the region's conflict stream.
            _conflicts ??= RegionStreams.Of<ConflictRecord>(services, ConflictStream.ProviderName, ConflictStream.Namespace, region.Id);
            await _conflicts.OnNextAsync(ReconciliationConflicts.ToConflict(record));
        }
        catch (Exception exception)
        {
            // The record is durable and listed per grain; the stream only announces it.
            logger.LogWarning(exception, "The reconciliation of {Grain} {Orphan} ({Outcome}) could not be published on {Region}'s stream.",
                record.Grain, record.Orphaned, record.Outcome, region.Id);
        }
    }
}
