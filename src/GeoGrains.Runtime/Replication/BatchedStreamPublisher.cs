using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// Publishes items on one Orleans stream of the region in batches: one stream message carries every item queued since
/// the previous one, and messages leave at most every <see cref="PublishInterval"/>, so announcing something costs its
/// writer a queue entry, not a stream call. Runs from the silo's Active stage; what was queued before the silo stops is
/// published without waiting out an interval. The items are durable elsewhere (the stream only announces them), so a
/// failed message is logged, not retried.
/// </summary>
internal sealed class BatchedStreamPublisher<T>(string provider, string streamNamespace, RegionId region, IServiceProvider services, ILogger logger, string what)
{
    private const int MaxBatch = 256;

    // Each message is a call to the stream's queue grain, which Orleans' pulling agents read every 100 ms (the memory
    // streams' default): gathering items for 25 ms barely delays delivery, and a busy silo makes one call per interval
    // instead of one per item.
    private static readonly TimeSpan PublishInterval = TimeSpan.FromMilliseconds(25);

    private readonly Channel<T> _items = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true });
    private Task _running = Task.CompletedTask;
    private volatile bool _stopping;

    public void Publish(T item) => _items.Writer.TryWrite(item);

    /// <summary>Starts publishing at the silo's Active stage as <paramref name="name"/>, and drains the queue when it stops.</summary>
    public void Participate(ISiloLifecycle lifecycle, string name) =>
        lifecycle.Subscribe(name, ServiceLifecycleStage.Active, started =>
        {
            _running = Task.Run(RunAsync);
            return Task.CompletedTask;
        }, async stopping =>
        {
            _stopping = true;
            _items.Writer.TryComplete();
            await _running.WaitAsync(stopping).ContinueWith(_ => { }, TaskScheduler.Default);
        });

    private async Task RunAsync()
    {
        var stream = RegionStreams.Of<T>(services, provider, streamNamespace, region);
        var batch = new List<T>(MaxBatch);
        // Null until the first message: it need not wait out an interval (0 would be a time, the machine's boot).
        long? lastPublished = null;
        while (await _items.Reader.WaitToReadAsync())
        {
            var sincePublished = lastPublished is { } last ? Stopwatch.GetElapsedTime(last) : TimeSpan.MaxValue;
            if (sincePublished < PublishInterval && !_stopping)
            {
                await Task.Delay(PublishInterval - sincePublished);
            }

            lastPublished = Stopwatch.GetTimestamp();
            while (batch.Count < MaxBatch && _items.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                await stream.OnNextBatchAsync(batch);
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "{Count} {What} of region {Region} could not be published on its stream.", batch.Count, what, region);
            }

            batch.Clear();
        }
    }
}
