using GeoGrains.Configuration;
using GeoGrains.Runtime.Links;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// This silo's safe time for one target region, for a <see cref="ChangeShipper"/>: the <see cref="Report"/> every batch
/// carries, and a heartbeat every <see cref="ReplicationOptions.HeartbeatInterval"/> when no batch carried one meanwhile.
/// Heartbeats also probe the link for the <see cref="InFlightWindow"/>: an answer says the link is up, and an answer in
/// time that batches sent before it and still unanswered were lost: their changes go back into the
/// <see cref="ShipmentQueue"/>, which also holds what the target owes, the bound of the safe time.
/// </summary>
internal sealed class LinkHeartbeat(
    RegionId source,
    RegionId target,
    IRegionLinks links,
    SafeTimeSource freshness,
    ShipmentQueue queue,
    InFlightWindow window,
    ReplicationOptions options,
    ReplicationMetrics metrics,
    ILogger logger,
    TimeProvider time)
{
    // Heartbeats waiting for an answer while the link is down (or the one waiting is overdue), at most: one leaves every
    // interval without waiting for the previous one (which waits for the call timeout on a cut link).
    private const int MaxProbes = 4;

    private long _lastReport = Timestamps.Never;

    /// <summary>
    /// The latest time at or before which every change this silo committed has been applied by the target, as far as this
    /// silo knows: before the oldest change the target has not acknowledged and before every commit still in progress,
    /// else the clock's now.
    /// </summary>
    public HybridTimestamp SafeTime()
    {
        // In this order: a commit is queued here before it stops being in progress, so reading the other way round
        // could miss one that moves between the two reads.
        var floor = freshness.Floor();
        return queue.OldestOwed is { } oldest ? HybridTimestampOrder.Min(floor, oldest.Before()) : floor;
    }

    /// <summary>The safe time to tell the target now, in a batch or a heartbeat.</summary>
    public SafeTimeReport Report()
    {
        var safeTime = SafeTime();
        Volatile.Write(ref _lastReport, time.GetTimestamp());
        return new SafeTimeReport(source, freshness.Silo, safeTime, freshness.ActiveSilos());
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        // One small message per interval and no storage I/O, none when a batch sent within the interval said as much
        // already. One at a time, so a target that does not answer is not piled up with them, unless the one waiting is
        // overdue (probably lost: the link was cut) or the link is down: then one every interval, up to MaxProbes waiting
        // at once, to see the link back within an interval rather than after the lost one's call timeout.
        var sent = new List<(Task Call, long SentAt)>();
        using var timer = new PeriodicTimer(options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                var (down, overdue) = window.LinkState();
                sent.RemoveAll(h => h.Call.IsCompleted);
                var probing = down || sent.All(h => time.GetElapsedTime(h.SentAt) > overdue);
                if ((!down && time.Since(Volatile.Read(ref _lastReport)) is { } sinceReport && sinceReport < options.HeartbeatInterval)
                    || sent.Count >= (probing ? MaxProbes : 1))
                {
                    continue;
                }

                sent.Add((SendAsync(Report(), stopping), time.GetTimestamp()));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }

        await Task.WhenAll(sent.Select(h => h.Call));
    }

    private async Task SendAsync(SafeTimeReport report, CancellationToken stopping)
    {
        var sentAt = time.GetTimestamp();
        try
        {
            await links.InvokeAsync(target, grains => grains.GetGrain<IReplicationReceiverGrain>(0).Heartbeat(report), stopping);
            metrics.HeartbeatSent(source, target);
            if (window.HeartbeatAnswered(sentAt) is { } lost)
            {
                queue.Retry(lost);
            }
        }
        catch (RegionUnreachableException exception) when (!stopping.IsCancellationRequested)
        {
            logger.LogDebug("Heartbeat from {Source} to {Target} was not answered: {Reason}", source, target, exception.Message);
        }
        catch (Exception exception) when (!stopping.IsCancellationRequested)
        {
            // Answered, if with an error: the link is up, and the batches, not the heartbeats, tell whether the target applies them.
            logger.LogDebug("Heartbeat from {Source} to {Target} failed: {Reason}", source, target, exception.Message);
            window.HeartbeatFailed();
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
