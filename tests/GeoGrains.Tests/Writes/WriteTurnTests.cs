using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Writes;

/// <summary>
/// The write turn at the owner (<see cref="Runtime.Writes.GeoWritePath"/>) without a cluster: one write at a time per
/// grain, the lease checked at the commit, hand-offs in the grain's turn, and keyed retries answered from the record.
/// </summary>
public sealed class WriteTurnTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_write_under_the_lease_is_stored_and_queued_for_every_other_region()
    {
        var turn = new WriteTurnHarness().WithLease();
        var grain = turn.Activate("c-1");

        var (ran, _) = await turn.WriteAsync(grain, async () => { await turn.Increment(grain); return null; });

        Assert.Equal(UsEast, ran?.Owner);
        var stored = await turn.StoredAsync(grain);
        Assert.Equal(1, stored?.Version);
        Assert.Equal(1, grain.CurrentState.Count);
        Assert.Equal(2, turn.Replication.PendingCount); // one change queued for eu-west, one for apac-east
    }

    [Fact]
    public async Task Two_writes_to_one_grain_take_turns_and_the_second_sees_the_first()
    {
        var turn = new WriteTurnHarness().WithLease();
        var grain = turn.Activate("c-2");
        var order = new List<string>();
        var firstIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = turn.WriteAsync(grain, async () =>
        {
            lock (order) order.Add("first in");
            firstIn.SetResult();
            await release.Task;
            await turn.Increment(grain);
            lock (order) order.Add("first stored");
            return null;
        });
        await firstIn.Task.WaitAsync(Patience);
        var second = turn.WriteAsync(grain, async () =>
        {
            lock (order) order.Add($"second in, seeing {grain.CurrentState.Count}");
            await turn.Increment(grain);
            return null;
        });

        await WaitUntil(() => grain.WriteLock.Waiting == 1, "the second write did not wait for the grain's turn");
        lock (order) Assert.Equal(["first in"], order);
        release.SetResult();
        await Task.WhenAll(first, second).WaitAsync(Patience);

        Assert.Equal(["first in", "first stored", "second in, seeing 1"], order);
        Assert.Equal(2, (await turn.StoredAsync(grain))?.Version);
    }

    [Fact]
    public async Task A_lease_that_lapses_between_entry_and_commit_fails_the_write_before_anything_is_stored()
    {
        var turn = new WriteTurnHarness().WithLease();
        var grain = turn.Activate("c-3");
        var (write, release) = await HeldWriteAsync(turn, grain);
        turn.LapseLease();
        release.SetResult();

        var refused = await Assert.ThrowsAsync<RegionLeaseLapsedException>(() => write.WaitAsync(Patience));
        Assert.False(refused.MayHaveCommitted);
        Assert.Null(await turn.StoredAsync(grain));
        Assert.Equal(0, turn.Replication.PendingCount);
    }

    [Fact]
    public async Task A_write_that_finds_the_lease_lapsed_on_entry_does_not_run()
    {
        var turn = new WriteTurnHarness().WithLease();
        turn.LapseLease();
        var grain = turn.Activate("c-4");
        var ran = false;

        var (owner, _) = await turn.WriteAsync(grain, () => { ran = true; return Task.FromResult<object?>(null); });

        Assert.Null(owner); // routed again by the caller: it waits for the lease or goes to the new owner
        Assert.False(ran);
    }

    [Fact]
    public async Task A_hand_off_asked_during_a_write_waits_for_it_and_then_carries_its_version()
    {
        var turn = new WriteTurnHarness().WithLease();
        var grain = turn.Activate("c-5");
        var (write, release) = await HeldWriteAsync(turn, grain);

        var handOff = turn.Writes.HandOffAsync(grain, EuWest);
        await WaitUntil(() => grain.WriteLock.Waiting == 1, "the hand-off did not wait for the write's turn");
        Assert.Empty(turn.Links.Calls); // nothing sent to the new owner while the write runs
        release.SetResult();
        await write.WaitAsync(Patience);

        // The hand-off ran after the write: it tried to send the written version to eu-west (the unit test's links fail it).
        await Assert.ThrowsAnyAsync<GeoGrainsException>(() => handOff.WaitAsync(Patience));
        Assert.Contains(EuWest, turn.Links.Calls);
        Assert.Equal(1, (await turn.StoredAsync(grain))?.Version);
    }

    [Fact]
    public async Task A_retry_with_the_same_key_gets_the_first_result_without_running_the_method_again()
    {
        var turn = new WriteTurnHarness().WithLease();
        var grain = turn.Activate("c-6");
        var runs = 0;
        async Task<object?> Method()
        {
            runs++;
            await turn.Increment(grain);
            return $"count {grain.CurrentState.Count}";
        }

        var (_, first) = await turn.WriteAsync(grain, Method, idempotencyKey: "order-17");
        var (_, retried) = await turn.WriteAsync(grain, Method, idempotencyKey: "order-17");
        var (_, other) = await turn.WriteAsync(grain, Method, idempotencyKey: "order-18");

        Assert.Equal("count 1", first);
        Assert.Equal("count 1", retried);
        Assert.Equal("count 2", other);
        Assert.Equal(2, runs);
        Assert.Equal(2, grain.CurrentState.Count);
    }

    // A write that has entered the grain's turn and waits, before its change, until the test releases it.
    private static async Task<(Task Write, TaskCompletionSource Release)> HeldWriteAsync(WriteTurnHarness turn, TestActivation grain)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var write = turn.WriteAsync(grain, async () =>
        {
            entered.SetResult();
            await release.Task;
            await turn.Increment(grain);
            return null;
        });
        await entered.Task.WaitAsync(Patience);
        return (write, release);
    }

    private static async Task WaitUntil(Func<bool> condition, string failure)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!condition())
        {
            Assert.False(timeout.IsCancellationRequested, failure);
            await Task.Yield();
            await Task.Delay(1, CancellationToken.None);
        }
    }
}
