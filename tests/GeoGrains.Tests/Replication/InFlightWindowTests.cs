using System.Text;
using GeoGrains.Configuration;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Storage;
using Orleans.Runtime;

namespace GeoGrains.Tests.Replication;

/// <summary>The batches on their way to one region: how many may be, and what answers and their absence do to that.</summary>
public sealed class InFlightWindowTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMilliseconds(400);

    private readonly ManualClock _clock = new();

    private InFlightWindow Window(int maxBatchesInFlight, bool probed = true) =>
        new(new ReplicationOptions { MaxBatchesInFlight = maxBatchesInFlight }, CallTimeout, _clock, probed);

    private static List<ReplicatedChange> Changes(string name) =>
        [new ReplicatedChange(GrainId.Create("profile", $"us-east/{name}"), new GeoRecord(1, 1, new HybridTimestamp(1, 0), "us-east", Encoding.UTF8.GetBytes("{}")))];

    // A batch leaves in a slot taken at once (one must be free).
    private static InFlightWindow.Flight Send(InFlightWindow window, string name)
    {
        var slot = window.TakeSlotAsync(CancellationToken.None);
        Assert.True(slot.IsCompletedSuccessfully, $"no slot free for {name}");
        var flight = window.Leaving(Changes(name), slot.Result);
        window.Departed(flight, window.NextSequence());
        return flight;
    }

    // No slot is free: a batch would wait (the wait is then called off, so that it takes no slot later).
    private static async Task AssertNoSlotFree(InFlightWindow window)
    {
        using var cancel = new CancellationTokenSource();
        var slot = window.TakeSlotAsync(cancel.Token);
        Assert.False(slot.IsCompleted, "a slot is free");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slot);
    }

    // The batch's slot stays taken, whatever else happens, until the batch is done with it.
    private static async Task AssertSlotHeldUntilReleased(InFlightWindow window, InFlightWindow.Flight flight)
    {
        var next = window.TakeSlotAsync(CancellationToken.None);
        Assert.False(next.IsCompleted, "the batch's slot is free");
        window.ReleaseSlot(flight.Epoch);
        await next.WaitAsync(Timeout);
    }

    [Fact]
    public async Task No_more_than_the_configured_batches_are_in_flight_until_one_is_acknowledged()
    {
        var window = Window(maxBatchesInFlight: 2);
        var first = Send(window, "a");
        Send(window, "b");

        var third = window.TakeSlotAsync(CancellationToken.None);
        Assert.False(third.IsCompleted);

        _clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(window.Answered(first, acknowledged: true));
        await third.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_batch_the_target_answered_with_an_error_keeps_its_slot_until_it_is_released()
    {
        var window = Window(maxBatchesInFlight: 1);
        var failed = Send(window, "a");

        Assert.True(window.Answered(failed, acknowledged: false));

        await AssertSlotHeldUntilReleased(window, failed);
    }

    [Fact]
    public async Task While_the_link_is_down_no_batch_leaves_and_once_a_heartbeat_is_answered_a_few_go_first()
    {
        var window = Window(maxBatchesInFlight: 64);
        var lost = Send(window, "a");

        Assert.True(window.Unanswered(lost)); // nothing was ever answered: the link is down
        Assert.True(window.LinkState().Down);
        var waiting = window.TakeSlotAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        var heartbeat = _clock.GetTimestamp();
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Null(window.HeartbeatAnswered(heartbeat));

        await waiting.WaitAsync(Timeout);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(window.TakeSlotAsync(CancellationToken.None).IsCompletedSuccessfully);
        }

        await AssertNoSlotFree(window); // 4 after the link was down, not 64
    }

    [Fact]
    public async Task Without_heartbeats_a_batch_unanswered_on_a_link_down_keeps_its_slot_until_it_is_released()
    {
        var window = Window(maxBatchesInFlight: 1, probed: false);
        var lost = Send(window, "a");

        Assert.True(window.Unanswered(lost));
        Assert.False(window.LinkState().Down); // nothing could tell it back up

        await AssertSlotHeldUntilReleased(window, lost);
    }

    [Fact]
    public async Task A_late_batch_is_given_up_for_lost_once_a_heartbeat_sent_after_it_is_answered_in_time()
    {
        var window = Window(maxBatchesInFlight: 1);
        var lost = Send(window, "a");
        var waiting = window.TakeSlotAsync(CancellationToken.None);

        _clock.Advance(TimeSpan.FromMilliseconds(990));
        var heartbeat = _clock.GetTimestamp();
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        var retry = window.HeartbeatAnswered(heartbeat);

        Assert.Equal(lost.Changes, retry);
        await waiting.WaitAsync(Timeout); // its slot is free again
        Assert.False(window.Answered(lost, acknowledged: true)); // an answer that comes after all changes nothing
        Assert.Null(window.Unanswered(lost));
    }

    [Fact]
    public async Task A_heartbeat_answered_late_gives_no_batch_up()
    {
        var window = Window(maxBatchesInFlight: 1);
        var first = _clock.GetTimestamp();
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        window.HeartbeatAnswered(first); // the fastest answer: later than 107.5 ms is late
        Send(window, "a");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var heartbeat = _clock.GetTimestamp(); // sent after the batch

        _clock.Advance(TimeSpan.FromMilliseconds(300));

        Assert.Null(window.HeartbeatAnswered(heartbeat)); // the target is slow, and the batch may still arrive
        await AssertNoSlotFree(window);
    }

    [Fact]
    public async Task Late_answers_halve_the_batches_in_flight_once_for_those_sent_before_and_answers_in_time_add_one()
    {
        var window = Window(maxBatchesInFlight: 4);
        var flights = Enumerable.Range(0, 4).Select(i => Send(window, $"g{i}")).ToList();

        _clock.Advance(TimeSpan.FromMilliseconds(10)); // the fastest answer: later than 107.5 ms is late
        window.Answered(flights[0], acknowledged: true);
        _clock.Advance(TimeSpan.FromMilliseconds(290));
        window.Answered(flights[1], acknowledged: true); // late: 2 may be in flight, and 2 are
        await AssertNoSlotFree(window);

        window.Answered(flights[2], acknowledged: true); // late too, but sent before it halved: still 2, not 1
        var fifth = Send(window, "g4");
        await AssertNoSlotFree(window);

        window.Answered(flights[3], acknowledged: true);
        window.Answered(fifth, acknowledged: true); // in time: 3 may be in flight
        for (var i = 5; i < 8; i++)
        {
            Send(window, $"g{i}");
        }

        await AssertNoSlotFree(window);
    }

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _now = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Volatile.Read(ref _now);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _now, by.Ticks);
    }
}
