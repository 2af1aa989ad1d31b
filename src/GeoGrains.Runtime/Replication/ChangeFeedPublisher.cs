using System.Diagnostics;
using System.Threading.Channels;
using GeoGrains.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// Publishes every version committed on this silo to the region's change feed, in commit order, in batches: one stream
/// message carries all the changes committed since the previous one, and messages leave at most every
/// <see cref="PublishInterval"/>, so the feed costs little on the write path.
/// </summary>
internal sealed class ChangeFeedPublisher(LocalRegion region, IServiceProvider services, ILogger<ChangeFeedPublisher> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private const int MaxBatch = 256;

    // Each message is a call to the stream's queue grain, which Orleans' pulling agents read every 100 ms (the memory
    // streams' default): gathering changes for 25 ms barely delays delivery, and a busy silo makes one call per
    // interval instead of one per write.
    private static readonly TimeSpan PublishInterval = TimeSpan.FromMilliseconds(25);

    private readonly Channel<GeoChange> _changes = Channel.CreateUnbounded<GeoChange>(new UnboundedChannelOptions { SingleReader = true });
    private Task _running = Task.CompletedTask;
    private volatile bool _stopping;

    public void Publish(GeoChange change) => _changes.Writer.TryWrite(change);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ChangeFeedPublisher), ServiceLifecycleStage.Active, started =>
        {
            _running = Task.Run(RunAsync);
            return Task.CompletedTask;
        }, async stopping =>
        {
            // Publish what was committed before the silo stops, without waiting out an interval.
            _stopping = true;
            _changes.Writer.TryComplete();
            await _running.WaitAsync(stopping).ContinueWith(_ => { }, TaskScheduler.Default);
        });

    private async Task RunAsync()
    {
        var stream = services.GetRequiredKeyedService<IStreamProvider>(GeoChangeFeed.ProviderName)
            .GetStream<GeoChange>(StreamId.Create(GeoChangeFeed.Namespace, region.Id.Value));
        var batch = new List<GeoChange>(MaxBatch);
        var lastPublished = 0L;
        while (await _changes.Reader.WaitToReadAsync())
        {
            var sincePublished = Stopwatch.GetElapsedTime(lastPublished);
            if (sincePublished < PublishInterval && !_stopping)
            {
                await Task.Delay(PublishInterval - sincePublished);
            }

            lastPublished = Stopwatch.GetTimestamp();
            while (batch.Count < MaxBatch && _changes.Reader.TryRead(out var change))
            {
                batch.Add(change);
            }

            try
            {
                await stream.OnNextBatchAsync(batch);
            }
            catch (Exception exception)
            {
                // The changes are committed and replicating; the feed is a notification of them and cannot undo them.
                logger.LogWarning(exception, "{Count} committed changes could not be published on the change feed of {Region}.", batch.Count, region.Id);
            }

            batch.Clear();
        }
    }
}
