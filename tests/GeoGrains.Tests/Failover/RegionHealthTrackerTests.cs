using GeoGrains.Runtime.Failover;

namespace GeoGrains.Tests.Failover;

public sealed class RegionHealthTrackerTests
{
    private static readonly RegionId UsEast = RegionId.Parse("us-east");
    private static readonly RegionId EuWest = RegionId.Parse("eu-west");
    private static readonly RegionId ApacEast = RegionId.Parse("apac-east");
    private static readonly RegionId[] Three = [UsEast, EuWest, ApacEast];
    private static readonly RegionId[] Five = [.. Three, RegionId.Parse("sa-east"), RegionId.Parse("af-south")];
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_region_is_suspected_after_the_configured_failures_in_a_row_and_not_before()
    {
        var tracker = new RegionHealthTracker(UsEast, Three, failuresToSuspect: 3);

        Assert.Empty(Fail(tracker, EuWest, 0));
        Assert.Empty(Fail(tracker, EuWest, 1));
        Assert.False(tracker.View(Start).Suspects(EuWest));

        var changes = Fail(tracker, EuWest, 2);

        Assert.Equal([(EuWest, RegionHealthChange.Suspected)], changes);
        var suspicion = Assert.Single(tracker.View(Start).Suspected);
        Assert.Equal(new RegionSuspicion(EuWest, Start.AddSeconds(2)), suspicion);
        Assert.Equal([EuWest], tracker.Report(new HybridTimestamp(1, 0)).Suspects);
    }

    [Fact]
    public void A_region_not_reached_since_the_observer_started_is_suspected_only_after_the_start_up_grace()
    {
        var tracker = new RegionHealthTracker(UsEast, Three, failuresToSuspect: 2, Start, startupGrace: TimeSpan.FromSeconds(10));

        // eu-west answers once, then fails: suspected as usual. apac-east has never answered: not within the grace.
        Succeed(tracker, EuWest, 0, Report(EuWest, 0));
        Fail(tracker, EuWest, 1);
        Assert.Equal([(EuWest, RegionHealthChange.Suspected)], Fail(tracker, EuWest, 2));
        for (var second = 0; second < 10; second++)
        {
            Assert.Empty(Fail(tracker, ApacEast, second));
        }

        Assert.False(tracker.View(Start.AddSeconds(9)).Suspects(ApacEast));
        Assert.Equal([(ApacEast, RegionHealthChange.Suspected)], Fail(tracker, ApacEast, 10));
    }

    [Fact]
    public void A_success_between_failures_starts_the_count_again()
    {
        var tracker = new RegionHealthTracker(UsEast, Three, failuresToSuspect: 3);
        Fail(tracker, EuWest, 0);
        Fail(tracker, EuWest, 1);
        Succeed(tracker, EuWest, 2, Report(EuWest, 1));
        Fail(tracker, EuWest, 3);
        Fail(tracker, EuWest, 4);

        Assert.False(tracker.View(Start).Suspects(EuWest));
        Assert.Equal([(EuWest, RegionHealthChange.Suspected)], Fail(tracker, EuWest, 5));
    }

    [Fact]
    public void One_successful_probe_clears_a_suspicion()
    {
        var tracker = new RegionHealthTracker(UsEast, Three, failuresToSuspect: 2);
        Fail(tracker, ApacEast, 0);
        Fail(tracker, ApacEast, 1);

        var changes = Succeed(tracker, ApacEast, 2, Report(ApacEast, 1));

        Assert.Equal([(ApacEast, RegionHealthChange.Cleared)], changes);
        Assert.Empty(tracker.View(Start).Suspected);
        Assert.Empty(tracker.Report(new HybridTimestamp(2, 0)).Suspects);
    }

    [Fact]
    public void An_outcome_older_than_one_already_applied_does_not_count()
    {
        var tracker = new RegionHealthTracker(UsEast, Three, failuresToSuspect: 1);
        var older = tracker.StartProbe(EuWest);
        var newer = tracker.StartProbe(EuWest);

        tracker.ProbeSucceeded(EuWest, newer, Report(EuWest, 1), Start);
        var late = tracker.ProbeFailed(EuWest, older, Start.AddSeconds(1));

        Assert.Empty(late);
        Assert.False(tracker.View(Start).Suspects(EuWest));
    }

    [Fact]
    public void With_three_regions_the_observer_and_one_other_region_declare_a_region_down()
    {
        var tracker = new RegionHealthTracker(EuWest, Three, failuresToSuspect: 1);
        Succeed(tracker, ApacEast, 0, Report(ApacEast, 1));

        Assert.Equal([(UsEast, RegionHealthChange.Suspected)], Fail(tracker, UsEast, 1));
        Assert.False(tracker.View(Start).HoldsDown(UsEast));

        var changes = Succeed(tracker, ApacEast, 2, Report(ApacEast, 2, UsEast));

        Assert.Equal([(UsEast, RegionHealthChange.DeclaredDown)], changes);
        Assert.Equal(new RegionSuspicion(UsEast, Start.AddSeconds(2)), Assert.Single(tracker.View(Start).DeclaredDown));
    }

    [Fact]
    public void With_five_regions_two_votes_are_not_enough_and_three_are()
    {
        var (a, b, c, d, e) = (Five[0], Five[1], Five[2], Five[3], Five[4]);
        var tracker = new RegionHealthTracker(a, Five, failuresToSuspect: 1);
        Fail(tracker, e, 0);
        Succeed(tracker, b, 1, Report(b, 1, e));

        Assert.Equal(3, tracker.Majority);
        Assert.False(tracker.View(Start).HoldsDown(e));

        Assert.Equal([(e, RegionHealthChange.DeclaredDown)], Succeed(tracker, c, 2, Report(c, 1, e)));
        Assert.Empty(Succeed(tracker, d, 3, Report(d, 1)));
        Assert.True(tracker.View(Start).HoldsDown(e));

        // c probes e successfully again: its next report no longer names e, so only two regions suspect it.
        Assert.Equal([(e, RegionHealthChange.DeclaredUp)], tracker.Learn(Report(c, 2), Start.AddSeconds(4)));
        Assert.Empty(tracker.View(Start).DeclaredDown);
    }

    [Fact]
    public void An_earlier_report_does_not_replace_a_later_one()
    {
        var tracker = new RegionHealthTracker(EuWest, Three, failuresToSuspect: 1);
        Fail(tracker, UsEast, 0);
        tracker.Learn(Report(ApacEast, 5, UsEast), Start);

        var changes = tracker.Learn(Report(ApacEast, 4), Start);

        Assert.Empty(changes);
        Assert.True(tracker.View(Start).HoldsDown(UsEast));
    }

    [Fact]
    public void The_report_of_a_suspected_region_is_no_vote()
    {
        // us-east is cut off: it suspects both others; their last reports, from before the cut, must not count for it.
        var tracker = new RegionHealthTracker(UsEast, Three, failuresToSuspect: 1);
        tracker.Learn(Report(EuWest, 1, ApacEast), Start);
        Fail(tracker, EuWest, 1);

        var changes = Fail(tracker, ApacEast, 2);

        Assert.Equal([(ApacEast, RegionHealthChange.Suspected)], changes);
        Assert.Empty(tracker.View(Start).DeclaredDown);
    }

    [Fact]
    public void A_report_from_a_region_outside_the_topology_or_from_the_observer_itself_is_refused()
    {
        var tracker = new RegionHealthTracker(UsEast, Three, failuresToSuspect: 1);

        var unknown = Assert.Throws<ArgumentException>(() => tracker.Learn(Report(RegionId.Parse("mars-1"), 1), Start));
        Assert.Contains("mars-1", unknown.Message);
        Assert.Throws<ArgumentException>(() => tracker.Learn(Report(UsEast, 1), Start));
    }

    [Fact]
    public void One_cut_link_between_three_regions_declares_nothing_anywhere()
    {
        var world = new World(Three, failuresToSuspect: 3);
        world.Cut(UsEast, EuWest);

        world.Rounds(10);

        Assert.True(world[UsEast].View(Start).Suspects(EuWest));
        Assert.True(world[EuWest].View(Start).Suspects(UsEast));
        Assert.Empty(world[ApacEast].View(Start).Suspected);
        Assert.All(Three, r => Assert.Empty(world[r].View(Start).DeclaredDown));
        Assert.DoesNotContain(world.Events, e => e.Change == RegionHealthChange.DeclaredDown);
    }

    [Fact]
    public void An_isolated_region_is_declared_down_by_the_others_declares_nothing_itself_and_is_declared_up_after_healing()
    {
        var world = new World(Three, failuresToSuspect: 3);
        world.Rounds(2);
        world.Isolate(UsEast);

        world.Rounds(5);

        Assert.True(world[EuWest].View(Start).HoldsDown(UsEast));
        Assert.True(world[ApacEast].View(Start).HoldsDown(UsEast));
        Assert.Equal(2, world[UsEast].View(Start).Suspected.Count);
        Assert.Empty(world[UsEast].View(Start).DeclaredDown);

        world.Heal();
        world.Rounds(2);

        Assert.All(Three, r => Assert.Empty(world[r].View(Start).DeclaredDown));
        Assert.All(Three, r => Assert.Empty(world[r].View(Start).Suspected));
        Assert.Contains(world.Events, e => e is { Observer: var o, Subject: var s, Change: RegionHealthChange.DeclaredUp } && o == EuWest && s == UsEast);
    }

    [Fact]
    public void With_five_regions_a_region_cut_from_two_is_not_declared_and_one_cut_from_all_is()
    {
        var world = new World(Five, failuresToSuspect: 2);
        var cut = Five[4];
        world.Cut(cut, Five[0]);
        world.Cut(cut, Five[1]);

        world.Rounds(6);

        Assert.All(Five, r => Assert.Empty(world[r].View(Start).DeclaredDown));

        world.Cut(cut, Five[2]);
        world.Rounds(4);

        Assert.All(Five[..4], r => Assert.True(world[r].View(Start).HoldsDown(cut), $"{r} holds {cut} down"));
        Assert.Empty(world[cut].View(Start).DeclaredDown);
    }

    private static RegionHealthReport Report(RegionId reporter, long at, params RegionId[] suspects) =>
        new(reporter, suspects, new HybridTimestamp(at, 0));

    private static List<(RegionId, RegionHealthChange)> Fail(RegionHealthTracker tracker, RegionId peer, int second) =>
        [.. tracker.ProbeFailed(peer, tracker.StartProbe(peer), Start.AddSeconds(second))];

    private static List<(RegionId, RegionHealthChange)> Succeed(RegionHealthTracker tracker, RegionId peer, int second, RegionHealthReport report) =>
        [.. tracker.ProbeSucceeded(peer, tracker.StartProbe(peer), report, Start.AddSeconds(second))];

    /// <summary>Every region's tracker, probing each other in rounds over links that can be cut, as the observers do.</summary>
    private sealed class World(RegionId[] regions, int failuresToSuspect)
    {
        private readonly Dictionary<RegionId, RegionHealthTracker> _trackers =
            regions.ToDictionary(r => r, r => new RegionHealthTracker(r, regions, failuresToSuspect));
        private readonly HashSet<(RegionId, RegionId)> _cut = [];
        private long _clock;

        public List<RegionHealthEvent> Events { get; } = [];

        public RegionHealthTracker this[RegionId region] => _trackers[region];

        public void Cut(RegionId a, RegionId b)
        {
            _cut.Add((a, b));
            _cut.Add((b, a));
        }

        public void Isolate(RegionId region)
        {
            foreach (var other in regions.Where(r => r != region))
            {
                Cut(region, other);
            }
        }

        public void Heal() => _cut.Clear();

        public void Rounds(int count)
        {
            for (var round = 0; round < count; round++)
            {
                foreach (var observer in regions)
                {
                    foreach (var peer in regions.Where(r => r != observer))
                    {
                        var at = Start.AddSeconds(++_clock);
                        var tracker = _trackers[observer];
                        var probe = tracker.StartProbe(peer);
                        if (_cut.Contains((observer, peer)))
                        {
                            Record(observer, at, tracker.ProbeFailed(peer, probe, at));
                            continue;
                        }

                        Record(peer, at, _trackers[peer].Learn(tracker.Report(new HybridTimestamp(_clock, 0)), at));
                        Record(observer, at, tracker.ProbeSucceeded(peer, probe, _trackers[peer].Report(new HybridTimestamp(_clock, 1)), at));
                    }
                }
            }
        }

        private void Record(RegionId observer, DateTimeOffset at, IReadOnlyList<(RegionId Subject, RegionHealthChange Change)> changes) =>
            Events.AddRange(changes.Select(c => new RegionHealthEvent(observer, c.Subject, c.Change, at, null)));
    }
}
