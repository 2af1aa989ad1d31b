using System.Collections.Concurrent;
using GeoGrains.Runtime.Failover;
using Microsoft.Extensions.Logging.Abstractions;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Failover;

/// <summary>Changing the regions' configuration by agreement of a majority, over three in-memory acceptors.</summary>
public sealed class OwnershipAgreementTests
{
    private static readonly RegionId[] Three = [UsEast, EuWest, ApacEast];
    private static readonly DateTimeOffset At = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlySet<RegionId> NoneAwaited = new HashSet<RegionId>();

    private readonly InMemoryAgreementPeers _peers = new(Three);

    private OwnershipAgreement Proposer(RegionId self) => new(self, Three, _peers, TimeSpan.FromSeconds(30), NullLogger.Instance);

    private static RegionConfiguration? TakeAway(RegionConfiguration current, RegionId region) =>
        current.IsAway(region) ? null : current.With(region, TenureState.Away, [.. Three.Where(r => r != region)], At);

    private static RegionConfiguration? Adding(RegionConfiguration current, RegionId key) =>
        current.Tenures.ContainsKey(key) ? null : current.With(key, TenureState.Owning, [], At);

    /// <summary>The configuration chosen now: an identity change, which writes the current value back so that it is chosen for certain.</summary>
    private static async Task<RegionConfiguration> ReadAsync(OwnershipAgreement agreement)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if ((await agreement.ChangeAsync((_, _) => null, NoneAwaited, CancellationToken.None)).Chosen is { } chosen)
            {
                return chosen;
            }
        }

        throw new InvalidOperationException("No configuration was chosen in 100 attempts.");
    }

    [Fact]
    public async Task A_change_is_chosen_with_two_of_three_regions()
    {
        _peers.Cut(UsEast);
        var agreement = Proposer(EuWest);

        var outcome = await agreement.ChangeAsync((current, _) => TakeAway(current, UsEast), NoneAwaited, CancellationToken.None);

        Assert.NotNull(outcome.Chosen);
        Assert.Equal(1, outcome.Chosen.Generation);
        Assert.True(outcome.Chosen.IsAway(UsEast));
        Assert.True((await ReadAsync(Proposer(ApacEast))).IsAway(UsEast));
    }

    [Fact]
    public async Task With_two_of_three_regions_unreachable_nothing_is_chosen()
    {
        _peers.Cut(UsEast);
        _peers.Cut(ApacEast);
        var changed = false;

        var outcome = await Proposer(EuWest).ChangeAsync((current, _) =>
        {
            changed = true;
            return TakeAway(current, UsEast);
        }, NoneAwaited, CancellationToken.None);

        Assert.Null(outcome.Chosen);
        Assert.Contains("2 needed", outcome.Reason);
        Assert.False(changed);
        Assert.False(_peers[EuWest].HoldsAway(UsEast));
        Assert.Empty(_peers.Told);

        _peers.Restore(UsEast);
        _peers.Restore(ApacEast);
        Assert.Equal(0, (await ReadAsync(Proposer(ApacEast))).Generation);
    }

    [Fact]
    public async Task The_change_sees_the_promises_with_the_regions_that_gave_them()
    {
        IReadOnlyList<PrepareReply>? seen = null;

        await Proposer(EuWest).ChangeAsync((current, promises) =>
        {
            seen = promises;
            return null;
        }, new HashSet<RegionId>(Three), CancellationToken.None);

        Assert.NotNull(seen);
        Assert.Equal(Three.Order(), seen.Select(p => p.Acceptor).Order());
        Assert.All(seen, p => Assert.True(p.Promised));
    }

    [Fact]
    public async Task A_refusal_for_a_lease_reports_when_to_try_again_and_a_retry_then_succeeds()
    {
        _peers.Cut(UsEast);
        _peers.WaitBeforeTakeover = (_, holder) => holder == UsEast ? TimeSpan.FromSeconds(2) : TimeSpan.Zero;
        var agreement = Proposer(EuWest);

        var refused = await agreement.ChangeAsync((current, _) => TakeAway(current, UsEast), NoneAwaited, CancellationToken.None);

        Assert.Null(refused.Chosen);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.RetryAfter);
        Assert.Contains("'us-east'", refused.Reason);
        Assert.False(_peers[EuWest].HoldsAway(UsEast));

        _peers.WaitBeforeTakeover = (_, _) => TimeSpan.Zero;
        var retried = await agreement.ChangeAsync((current, _) => TakeAway(current, UsEast), NoneAwaited, CancellationToken.None);

        Assert.NotNull(retried.Chosen);
        Assert.True(retried.Chosen.IsAway(UsEast));
    }

    [Fact]
    public async Task One_acceptor_refusing_for_a_lease_does_not_stop_a_majority()
    {
        _peers.WaitBeforeTakeover = (acceptor, holder) => acceptor == ApacEast && holder == UsEast ? TimeSpan.FromSeconds(2) : TimeSpan.Zero;

        var outcome = await Proposer(EuWest).ChangeAsync((current, _) => TakeAway(current, UsEast), new HashSet<RegionId>(Three), CancellationToken.None);

        Assert.NotNull(outcome.Chosen);
        Assert.True(outcome.Chosen.IsAway(UsEast));
    }

    [Fact]
    public async Task Every_region_is_told_the_chosen_configuration()
    {
        var outcome = await Proposer(EuWest).ChangeAsync((current, _) => TakeAway(current, UsEast), NoneAwaited, CancellationToken.None);
        await _peers.TellingDoneAsync();

        Assert.NotNull(outcome.Chosen);
        Assert.Equal(Three.Order(), _peers.Told.Select(t => t.Learner).Order());
        Assert.All(_peers.Told, t => Assert.Same(outcome.Chosen, t.Chosen));
        Assert.All(Three, r => Assert.Equal(1, _peers[r].Learned.Generation));
        Assert.All(Three, r => Assert.True(_peers[r].HoldsAway(UsEast)));
    }

    [Fact]
    public async Task A_region_cut_off_is_told_too_and_missing_it_does_not_undo_the_choice()
    {
        _peers.Cut(ApacEast);

        var outcome = await Proposer(EuWest).ChangeAsync((current, _) => TakeAway(current, UsEast), NoneAwaited, CancellationToken.None);
        await _peers.TellingDoneAsync();

        Assert.NotNull(outcome.Chosen);
        Assert.Contains(_peers.Told, t => t.Learner == ApacEast);
        Assert.Equal(0, _peers[ApacEast].Learned.Generation);
        Assert.Equal(1, _peers[EuWest].Learned.Generation);
    }

    [Fact]
    public async Task A_value_a_minority_accepted_is_carried_into_the_next_change()
    {
        // A proposer got a majority's promise, then us-east's acceptance, and failed before a majority accepted: the value may
        // have been chosen, so a later change must build on it.
        var failedProposer = new Ballot(1, "sa-east");
        var pending = TakeAway(RegionConfiguration.Initial, ApacEast)!;
        Assert.True((await _peers[UsEast].PrepareAsync(failedProposer)).Promised);
        Assert.True((await _peers[EuWest].PrepareAsync(failedProposer)).Promised);
        Assert.True((await _peers[UsEast].AcceptAsync(failedProposer, pending, _ => TimeSpan.Zero)).Accepted);
        _peers.AnswersLast = UsEast;

        var chosen = await DecideAsync(Proposer(EuWest), current => Adding(current, "added"), new HashSet<RegionId>(Three));

        Assert.True(chosen.IsAway(ApacEast));
        Assert.True(chosen.Tenures.ContainsKey("added"));
        Assert.Equal(2, chosen.Generation);
    }

    [Fact]
    public async Task A_proposer_behind_on_ballots_catches_up_on_its_next_attempt()
    {
        // Another region's proposer promised far ahead; a restarted proposer counts ballots from 1 again.
        foreach (var region in Three)
        {
            await _peers[region].PrepareAsync(new Ballot(50, "apac-east"));
        }

        var agreement = Proposer(UsEast);
        var first = await agreement.ChangeAsync((current, _) => Adding(current, "added"), NoneAwaited, CancellationToken.None);
        var second = await agreement.ChangeAsync((current, _) => Adding(current, "added"), NoneAwaited, CancellationToken.None);

        Assert.Null(first.Chosen);
        Assert.NotNull(second.Chosen);
        Assert.True(second.Chosen.Tenures.ContainsKey("added"));
    }

    [Fact]
    public async Task Concurrent_proposers_never_both_win_conflicting_values()
    {
        const int Rounds = 20;
        var usEast = Proposer(UsEast);
        var euWest = Proposer(EuWest);
        var decided = new List<(int Round, RegionId Tenure, RegionConfiguration Chosen)>();

        for (var round = 0; round < Rounds; round++)
        {
            RegionId first = $"u-{round}";
            RegionId second = $"e-{round}";
            var outcomes = await Task.WhenAll(
                Task.Run(() => usEast.ChangeAsync((current, _) => Adding(current, first), NoneAwaited, CancellationToken.None)),
                Task.Run(() => euWest.ChangeAsync((current, _) => Adding(current, second), NoneAwaited, CancellationToken.None)));
            if (outcomes[0].Chosen is { } a)
            {
                decided.Add((round, first, a));
            }

            if (outcomes[1].Chosen is { } b)
            {
                decided.Add((round, second, b));
            }
        }

        var final = await ReadAsync(Proposer(ApacEast));

        Assert.NotEmpty(decided);
        Assert.All(decided, d => Assert.True(final.Tenures.ContainsKey(d.Tenure), $"{d.Tenure} was decided in round {d.Round} but is not in {final}"));
        AssertOneHistory([.. decided.Select(d => d.Chosen), final]);

        // A change decided in a later round comes after every one decided in an earlier round.
        foreach (var earlier in decided)
        {
            Assert.All(decided.Where(d => d.Round > earlier.Round), later => Assert.True(later.Chosen.Generation > earlier.Chosen.Generation));
        }
    }

    [Fact]
    public async Task Concurrent_proposers_retrying_until_decided_lose_no_change_and_make_none_twice()
    {
        const int Changes = 20;
        var decided = new ConcurrentBag<RegionConfiguration>();

        async Task ProposeAsync(OwnershipAgreement agreement, string prefix)
        {
            for (var i = 0; i < Changes; i++)
            {
                RegionId key = $"{prefix}-{i}";
                var chosen = await DecideAsync(agreement, current => Adding(current, key));
                Assert.True(chosen.Tenures.ContainsKey(key));
                decided.Add(chosen);
            }
        }

        await Task.WhenAll(
            Task.Run(() => ProposeAsync(Proposer(UsEast), "u")),
            Task.Run(() => ProposeAsync(Proposer(EuWest), "e")),
            Task.Run(() => ProposeAsync(Proposer(ApacEast), "a")));
        var final = await ReadAsync(Proposer(EuWest));

        // Each change adds one tenure in one generation: 60 changes, each made once.
        Assert.Equal(3 * Changes, final.Tenures.Count);
        Assert.Equal(3 * Changes, final.Generation);
        AssertOneHistory([.. decided, final]);
    }

    private static async Task<RegionConfiguration> DecideAsync(
        OwnershipAgreement agreement, Func<RegionConfiguration, RegionConfiguration?> change, IReadOnlySet<RegionId>? awaited = null)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            if ((await agreement.ChangeAsync((current, _) => change(current), awaited ?? NoneAwaited, CancellationToken.None)).Chosen is { } chosen)
            {
                return chosen;
            }

            await Task.Yield();
        }

        throw new InvalidOperationException("The change was not decided in 1000 attempts.");
    }

    /// <summary>The chosen values are one history: one value per generation, each containing every tenure of those before it.</summary>
    private static void AssertOneHistory(IEnumerable<RegionConfiguration> chosen)
    {
        var byGeneration = chosen.GroupBy(c => c.Generation).OrderBy(g => g.Key).ToList();
        foreach (var generation in byGeneration)
        {
            Assert.Single(generation.Select(c => c.ToString()).Distinct());
        }

        for (var i = 1; i < byGeneration.Count; i++)
        {
            var before = byGeneration[i - 1].First();
            var after = byGeneration[i].First();
            Assert.True(after.Generation > before.Generation);
            Assert.All(before.Tenures, t => Assert.Equal(t.Value.ToString(), after.Tenures.GetValueOrDefault(t.Key)?.ToString()));
        }
    }
}
