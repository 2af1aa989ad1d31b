using GeoGrains.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>Announces the conflicts this region resolved: in its log and on its <see cref="ConflictStream"/>.</summary>
internal sealed class ConflictPublisher(LocalRegion region, IServiceProvider services, ILogger<ConflictPublisher> logger)
{
    private IAsyncStream<ConflictRecord>? _stream;

    /// <summary>Announces a conflict just recorded.</summary>
    public async Task PublishAsync(ConflictRecord record)
    {
        var level = record.Outcome == ConflictOutcome.MergeFailed ? LogLevel.Warning : LogLevel.Information;
        logger.Log(level, "Region {Region} resolved a conflict of {Grain} ({Policy}): local {Local}, remote {Remote}: {Outcome} {Detail}",
            region.Id, record.Grain, record.Policy, record.Local, record.Remote, record.Outcome, record.Detail);
        try
        {
            _stream ??= services.GetRequiredKeyedService<IStreamProvider>(ConflictStream.ProviderName)
                .GetStream<ConflictRecord>(StreamId.Create(ConflictStream.Namespace, region.Id.Value));
            await _stream.OnNextAsync(record);
        }
        catch (Exception exception)
        {
            // The record is durable and listed per grain; the stream only announces it.
            logger.LogWarning(exception, "The conflict {Id} of {Grain} could not be published on {Region}'s stream.", record.Id, record.Grain, region.Id);
        }
    }
}
