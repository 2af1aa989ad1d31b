using GeoGrains.Configuration;
using GeoGrains.Runtime.Failover;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Failover;

/// <summary>A silo's copy of the observer's status when an answer from the observer is lost, and the silo's own lease without the observer.</summary>
public sealed class FailoverStateTests
{
    private static readonly FailoverStatus Leased = new(RegionConfiguration.Initial, TimeSpan.FromSeconds(3), []);

    private static FailoverState Create(ScriptedObserver observer, TimeProvider? time = null)
    {
        var options = new GeoGrainsOptions { Region = "us-east", Topology = GeoTopology.DefaultOptions() };
        options.Health.ProbeInterval = TimeSpan.FromMilliseconds(50);
        options.Health.ProbeTimeout = TimeSpan.FromMilliseconds(50);
        return new FailoverState(() => observer, GeoTopology.Default, UsEast, time ?? TimeProvider.System, Options.Create(options.Failover), Options.Create(options.Health), NullLogger.Instance);
    }

    private static ScriptedObserver Gone() => new(new TaskCompletionSource<FailoverStatus>().Task);

    // apac-east taken over by eu-west: generation 1.
    private static RegionConfiguration ApacEastAway() =>
        RegionConfiguration.Initial.With(ApacEast, TenureState.Away, [EuWest], DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task Two_other_regions_confirming_hold_the_silos_lease_while_the_observer_never_answers()
    {
        var time = new ManualTimeProvider();
        var state = Create(Gone(), time);
        var asked = time.GetTimestamp();
        var waiting = state.WaitAsync(() => state.HoldsLease, TimeSpan.FromSeconds(30));

        state.LeaseAnswered(EuWest, asked, new LeaseReply(true, 0, null, 0));
        Assert.False(state.HoldsLease);
        state.LeaseAnswered(ApacEast, asked, new LeaseReply(true, 0, null, 0));

        Assert.True(state.HoldsLease);
        Assert.True(await waiting, "a write waiting for the lease did not see it without the observer");
        Assert.Equal(state.LeaseWait, state.WriteLeaseWait); // the region has held a lease: lapses wait a probe round only

        time.Advance(state.Options.LeasePeriod - state.Options.MaxClockOffset);
        Assert.False(state.HoldsLease);
    }

    [Fact]
    public void A_configuration_carried_by_a_lease_answer_is_learned_without_the_observer_and_unfences_that_grant()
    {
        var time = new ManualTimeProvider();
        var state = Create(Gone(), time);
        var asked = time.GetTimestamp();
        var moved = ApacEastAway();

        // eu-west has accepted generation 1 but says nothing more: its grant waits until this silo learns generation 1.
        state.LeaseAnswered(EuWest, asked, new LeaseReply(true, 0, null, moved.Generation));
        state.LeaseAnswered(ApacEast, asked, new LeaseReply(true, 0, null, 0));
        Assert.False(state.HoldsLease);

        state.LeaseAnswered(EuWest, asked, new LeaseReply(true, moved.Generation, moved, moved.Generation));
        Assert.Equal(moved.Generation, state.Configuration.Generation);
        Assert.True(state.HoldsLease);
        Assert.True(state.KnownFor(moved.Generation) >= TimeSpan.Zero);
    }

    [Fact]
    public void The_acceptor_row_gives_the_regions_own_vote_and_configuration_when_the_observer_is_gone()
    {
        var time = new ManualTimeProvider();
        var state = Create(Gone(), time);
        var moved = ApacEastAway();
        var asked = time.GetTimestamp();
        state.LeaseAnswered(EuWest, asked, new LeaseReply(true, 0, null, 0));
        Assert.False(state.HoldsLease);

        state.ApplyStored(new AcceptorState(Ballot.None, Ballot.None, moved, moved), asked);

        Assert.Equal(moved.Generation, state.Configuration.Generation);
        Assert.True(state.HoldsLease);
    }

    [Fact]
    public void An_acceptor_row_that_accepted_a_value_it_has_not_learned_withdraws_the_regions_own_vote()
    {
        var time = new ManualTimeProvider();
        var state = Create(Gone(), time);
        var asked = time.GetTimestamp();
        state.LeaseAnswered(EuWest, asked, new LeaseReply(true, 0, null, 0));
        state.Apply(new FailoverStatus(RegionConfiguration.Initial, null, [], SelfGrants: true), asked);
        Assert.True(state.HoldsLease);

        var drained = RegionConfiguration.Initial.With(UsEast, TenureState.Away, [EuWest], DateTimeOffset.UnixEpoch, planned: true);
        state.ApplyStored(new AcceptorState(Ballot.None, Ballot.None, drained, RegionConfiguration.Initial), asked);

        Assert.False(state.HoldsLease);
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

        public Task<LeaseReply> ConfirmLease(LeaseRequest request) => throw new NotSupportedException();

        public Task<PrepareReply> Prepare(Ballot ballot) => throw new NotSupportedException();

        public Task<AcceptReply> Accept(Ballot ballot, RegionConfiguration value) => throw new NotSupportedException();

        public Task Learn(RegionConfiguration chosen) => throw new NotSupportedException();

        public Task ChangeTenure(RegionId region, bool away) => throw new NotSupportedException();
    }
}
