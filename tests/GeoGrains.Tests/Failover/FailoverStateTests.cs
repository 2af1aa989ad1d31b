using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Hosting;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GeoGrains.Tests.Failover;

/// <summary>A silo's copy of the observer's status when an answer from the observer is lost.</summary>
public sealed class FailoverStateTests
{
    private static readonly FailoverStatus Leased = new(RegionConfiguration.Initial, TimeSpan.FromSeconds(3), []);

    private static FailoverState Create(ScriptedObserver observer)
    {
        var options = new GeoGrainsOptions { Region = "us-east", Topology = GeoTopology.DefaultOptions() };
        options.Health.ProbeInterval = TimeSpan.FromMilliseconds(50);
        options.Health.ProbeTimeout = TimeSpan.FromMilliseconds(50);
        return new FailoverState(() => observer, GeoTopology.Default, TimeProvider.System, Options.Create(options), NullLogger.Instance);
    }

    [Fact]
    public async Task A_write_waiting_for_the_lease_gets_it_from_the_next_answer_when_one_status_call_is_never_answered()
    {
        // The first answer is lost (as a message to an activation being moved can be); the observer answers the next.
        var observer = new ScriptedObserver(new TaskCompletionSource<FailoverStatus>().Task, Task.FromResult(Leased));
        var state = Create(observer);

        Assert.False(state.HoldsLease);
        Assert.True(await state.WaitAsync(() => state.HoldsLease, TimeSpan.FromSeconds(30)), "the lease the observer holds was not taken");
        Assert.Equal(2, observer.Calls);
    }

    [Fact]
    public async Task A_wait_ends_at_its_timeout_while_the_observer_does_not_answer()
    {
        var observer = new ScriptedObserver(new TaskCompletionSource<FailoverStatus>().Task);
        var state = Create(observer);

        Assert.False(await state.WaitAsync(() => state.HoldsLease, TimeSpan.FromMilliseconds(500)));
        Assert.False(state.HoldsLease);
    }

    [Fact]
    public async Task A_refresh_whose_answer_does_not_come_fails_with_a_timeout_and_the_next_one_is_answered()
    {
        var observer = new ScriptedObserver(new TaskCompletionSource<FailoverStatus>().Task, Task.FromResult(Leased));
        var state = Create(observer);

        await Assert.ThrowsAsync<TimeoutException>(state.RefreshAsync);
        await state.RefreshAsync();
        Assert.True(state.HoldsLease);
    }

    /// <summary>Answers GetStatus with the given tasks in turn, the last one from then on.</summary>
    private sealed class ScriptedObserver(params Task<FailoverStatus>[] answers) : IRegionHealthPeer
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<FailoverStatus> GetStatus()
        {
            var call = Interlocked.Increment(ref _calls);
            return answers[Math.Min(call, answers.Length) - 1];
        }

        public Task FirstWriteServed(long epoch) => Task.CompletedTask;

        public Task<HealthProbeReply> Exchange(HealthProbe probe) => throw new NotSupportedException();

        public Task<PrepareReply> Prepare(Ballot ballot) => throw new NotSupportedException();

        public Task<AcceptReply> Accept(Ballot ballot, RegionConfiguration value) => throw new NotSupportedException();

        public Task Learn(RegionConfiguration chosen) => throw new NotSupportedException();

        public Task ChangeTenure(RegionId region, bool away) => throw new NotSupportedException();
    }
}
