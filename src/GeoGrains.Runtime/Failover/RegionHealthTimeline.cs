using GeoGrains.Runtime.Clocks;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// What the health observer tells about the changes it sees: each <see cref="RegionHealthEvent"/> is logged, kept in the
/// timeline (the last <see cref="TimelineCapacity"/>, for <see cref="IRegionHealthGrain.GetTimeline"/>) and published on
/// the region's <see cref="RegionHealthStream"/>, in the order the observer made them.
/// </summary>
internal sealed class RegionHealthTimeline(RegionId region, HybridLogicalClock clock, TimeProvider time, ILogger logger)
{
    private const int TimelineCapacity = 256;

    private readonly Queue<RegionHealthEvent> _timeline = new();
    private readonly HashSet<long> _firstWrites = [];
    private IAsyncStream<RegionHealthEvent>? _stream;
    private Task _publishing = Task.CompletedTask;

    /// <summary>The changes kept, oldest first.</summary>
    public IReadOnlyList<RegionHealthEvent> Events => [.. _timeline];

    /// <summary>The stream every change is published on from now on (the observer's activation opens it).</summary>
    public void PublishTo(IAsyncStream<RegionHealthEvent> stream) => _stream = stream;

    /// <summary>A silo of this region served the first write under <paramref name="epoch"/>: recorded once, if <paramref name="learned"/> has a tenure of that epoch.</summary>
    public void FirstWriteServed(long epoch, RegionConfiguration learned)
    {
        if (_firstWrites.Add(epoch) && learned.TenureAt(epoch) is { } tenure)
        {
            Record(tenure.Region, RegionHealthChange.FirstWriteServed, $"epoch {epoch}");
        }
    }

    public void Record(RegionId subject, RegionHealthChange change, string detail)
    {
        var health = new RegionHealthEvent(region, subject, change, time.GetUtcNow(), clock.Now(), detail);
        logger.LogInformation("Region {Region}: {Subject} {Change} {Detail}", region, subject, change, detail);
        if (_timeline.Count == TimelineCapacity)
        {
            _timeline.Dequeue();
        }

        _timeline.Enqueue(health);
        _publishing = PublishAfterAsync(_publishing, health);
    }

    private async Task PublishAfterAsync(Task previous, RegionHealthEvent health)
    {
        // Published one after another, so that subscribers see the changes in the order the observer made them.
        await previous;
        try
        {
            await _stream!.OnNextAsync(health);
        }
        catch (Exception exception)
        {
            logger.LogWarning("Region {Region}: could not publish health change {Change} of {Subject}: {Reason}", region, health.Change, health.Subject, exception.Message);
        }
    }
}
