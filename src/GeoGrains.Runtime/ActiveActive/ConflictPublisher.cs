using System.Diagnostics;
using System.Threading.Channels;
using GeoGrains.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// Announces the conflicts this region resolved: in its log and on its <see cref="ConflictStream"/>. The record is
/// durable (written with its resolution) before it is announced, so publishing is not on the resolution's path: records
/// are queued and leave in batches, one stream message for all those resolved since the previous one and at most one
/// message per <see cref="PublishInterval"/>, so that a healed partition resolving thousands of grains costs a few
/// stream messages, not one each.
/// </summary>
internal sealed class ConflictPublisher(LocalRegion region, IServiceProvider services, ILogger<ConflictPublisher> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private const int MaxBatch = 256;

    // As the change feed's: the memory streams' pulling agents read every 100 ms, so gathering for 25 ms barely delays delivery.
    private static readonly TimeSpan PublishInterval = TimeSpan.FromMilliseconds(25);

    private readonly Channel<ConflictRecord> _records = Channel.CreateUnbounded<ConflictRecord>(new UnboundedChannelOptions { SingleReader = true });
    private Task _running = Task.CompletedTask;
    private volatile bool _stopping;

    /// <summary>Announces a conflict just recorded: logged now, published on the region's stream shortly.</summary>
    public void Publish(ConflictRecord record)
    {
        var level = record.Outcome == ConflictOutcome.MergeFailed ? LogLevel.Warning : LogLevel.Information;
        logger.Log(level, "Region {Region} resolved a conflict of {Grain} ({Policy}): local {Local}, remote {Remote}: {Outcome} {Detail}",
            region.Id, record.Grain, record.Policy, record.Local, record.Remote, record.Outcome, record.Detail);
        _records.Writer.TryWrite(record);
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ConflictPublisher), ServiceLifecycleStage.Active, started =>
        {
            _running = Task.Run(RunAsync);
            return Task.CompletedTask;
        }, async stopping =>
        {
            // Publish what was resolved before the silo stops, without waiting out an interval.
            _stopping = true;
            _records.Writer.TryComplete();
            await _running.WaitAsync(stopping).ContinueWith(_ => { }, TaskScheduler.Default);
        });

    private async Task RunAsync()
    {
        var stream = services.GetRequiredKeyedService<IStreamProvider>(ConflictStream.ProviderName)
            .GetStream<ConflictRecord>(StreamId.Create(ConflictStream.Namespace, region.Id.Value));
        var batch = new List<ConflictRecord>(MaxBatch);
        var lastPublished = 0L;
        while (await _records.Reader.WaitToReadAsync())
        {
            var sincePublished = Stopwatch.GetElapsedTime(lastPublished);
            if (sincePublished < PublishInterval && !_stopping)
            {
                await Task.Delay(PublishInterval - sincePublished);
            }

            lastPublished = Stopwatch.GetTimestamp();
            while (batch.Count < MaxBatch && _records.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            try
            {
                await stream.OnNextBatchAsync(batch);
            }
            catch (Exception exception)
            {
                // The records are durable and listed per grain; the stream only announces them.
                logger.LogWarning(exception, "{Count} conflicts resolved in {Region} could not be published on its stream.", batch.Count, region.Id);
            }

            batch.Clear();
        }
    }
}
