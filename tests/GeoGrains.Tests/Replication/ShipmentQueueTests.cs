using System.Text;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using Orleans.Runtime;

namespace GeoGrains.Tests.Replication;

/// <summary>
/// The changes waiting to ship to one region: coalescing, batch order, retries and urgency (the shipper around it is
/// tested in <see cref="ChangeShipperTests"/>).
/// </summary>
public sealed class ShipmentQueueTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly GrainId Ada = Profile("ada"), Bob = Profile("bob"), Cyd = Profile("cyd");

    private static GrainId Profile(string name) => GrainId.Create("profile", $"us-east/{name}");

    private static GeoRecord Version(long v) => new(v, 1, new HybridTimestamp(100 + v, 0), "us-east", Encoding.UTF8.GetBytes("{}"));

    private static ShipmentQueue Queued(int maxBatchSize, params (GrainId Grain, long Version)[] versions)
    {
        var queue = new ShipmentQueue(maxBatchSize);
        foreach (var (grain, version) in versions)
        {
            queue.Enqueue(grain, Version(version));
        }

        return queue;
    }

    private static (GrainId, long)[] Shipped(List<ReplicatedChange> batch) => [.. batch.Select(c => (c.Grain, c.Record.Version))];

    [Fact]
    public void Batches_take_each_grain_once_as_its_latest_version_in_the_order_grains_were_first_queued()
    {
        // Version 2 of Ada comes after version 3: older than the one waiting, it has no effect.
        var queue = Queued(maxBatchSize: 2, (Ada, 1), (Bob, 1), (Ada, 3), (Ada, 2), (Cyd, 1));

        Assert.Equal(3, queue.Count);
        Assert.Equal([(Ada, 3L), (Bob, 1L)], Shipped(queue.TakeBatch()));
        Assert.Equal([(Cyd, 1L)], Shipped(queue.TakeBatch()));
        Assert.Empty(queue.TakeBatch());
    }

    [Fact]
    public async Task A_batch_that_leaves_more_waiting_wakes_the_shipper_again_without_a_new_change()
    {
        var queue = Queued(maxBatchSize: 1, (Ada, 1), (Bob, 1));
        await queue.WaitAsync(CancellationToken.None).WaitAsync(Timeout);
        await queue.WaitAsync(CancellationToken.None).WaitAsync(Timeout);

        queue.TakeBatch();

        await queue.WaitAsync(CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal([(Bob, 1L)], Shipped(queue.TakeBatch()));
    }

    [Fact]
    public void A_failed_change_goes_again_behind_what_was_queued_meanwhile_unless_something_newer_replaced_it_or_it_was_acknowledged()
    {
        var queue = Queued(maxBatchSize: 10, (Ada, 1), (Bob, 1), (Cyd, 1));
        var failed = queue.TakeBatch();
        queue.Enqueue(Ada, Version(2));
        Assert.Equal(1, queue.Acknowledged([new ReplicatedChange(Bob, Version(1))])); // its answer came after all

        queue.Retry(failed);

        Assert.Equal([(Ada, 2L), (Cyd, 1L)], Shipped(queue.TakeBatch()));
    }

    [Fact]
    public void A_change_acknowledged_twice_counts_once_and_is_owed_until_then()
    {
        var queue = Queued(maxBatchSize: 10, (Ada, 1));
        var batch = queue.TakeBatch();
        Assert.Equal(Version(1).CommittedAt, queue.OldestOwed);

        Assert.Equal(1, queue.Acknowledged(batch));
        Assert.Equal(0, queue.Acknowledged(batch));
        Assert.Null(queue.OldestOwed);
    }

    [Fact]
    public async Task An_urgent_change_ends_the_wait_for_the_batch_interval()
    {
        var queue = Queued(maxBatchSize: 10, (Ada, 1));
        var waiting = queue.WaitOutBatchIntervalAsync(TimeSpan.FromHours(1), CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        queue.Enqueue(Bob, Version(1), urgent: true);

        await waiting.WaitAsync(Timeout);
        Assert.True(queue.WaitOutBatchIntervalAsync(TimeSpan.FromHours(1), CancellationToken.None).IsCompletedSuccessfully, "an urgent change still waits");

        queue.TakeBatch(); // the urgent change left: the next batch waits out the interval again
        using var stop = new CancellationTokenSource();
        var next = queue.WaitOutBatchIntervalAsync(TimeSpan.FromHours(1), stop.Token);
        Assert.False(next.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Timeout));
    }
}
