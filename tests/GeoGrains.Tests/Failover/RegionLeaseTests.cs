using GeoGrains.Runtime.Failover;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.Tests.Failover;

/// <summary>When a region may write what it owns (holder side) and when another may vote to take it away (granter side).</summary>
public sealed class RegionLeaseTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Offset = TimeSpan.FromMilliseconds(250);

    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void With_three_regions_self_and_one_confirmation_hold_the_lease_until_the_probe_was_sent_plus_the_period_less_the_offset()
    {
        var lease = new RegionLease(UsEast, 3, Period, Offset, At(0));
        lease.Confirmed(EuWest, sentAt: At(10));

        var until = At(10) + Period - Offset;
        Assert.Equal(until, lease.ValidUntil(At(11), selfGrants: true));
        Assert.Equal(until, lease.ValidUntil(until - TimeSpan.FromTicks(1), selfGrants: true));
        Assert.Null(lease.ValidUntil(until, selfGrants: true));
        Assert.Null(lease.ValidUntil(At(20), selfGrants: true));
    }

    [Fact]
    public void Without_any_confirmation_the_lease_does_not_hold()
    {
        var lease = new RegionLease(UsEast, 3, Period, Offset, At(0));

        Assert.Null(lease.ValidUntil(At(0), selfGrants: true));
    }

    [Fact]
    public void A_later_confirmation_extends_the_lease_and_an_older_answer_arriving_late_does_not_shorten_it()
    {
        var lease = new RegionLease(UsEast, 3, Period, Offset, At(0));
        lease.Confirmed(EuWest, At(10));
        lease.Confirmed(EuWest, At(12));
        lease.Confirmed(EuWest, At(11));

        Assert.Equal(At(12) + Period - Offset, lease.ValidUntil(At(13), selfGrants: true));
    }

    [Fact]
    public void The_lease_stands_on_the_freshest_confirmations_a_majority_gives()
    {
        var lease = new RegionLease(UsEast, 3, Period, Offset, At(0));
        lease.Confirmed(EuWest, At(10));
        lease.Confirmed(ApacEast, At(11));

        Assert.Equal(At(11) + Period - Offset, lease.ValidUntil(At(12), selfGrants: true));
    }

    [Fact]
    public void With_five_regions_the_lease_needs_self_and_two_confirmations()
    {
        var lease = new RegionLease(UsEast, 5, Period, Offset, At(0));
        lease.Confirmed(EuWest, At(10));

        Assert.Null(lease.ValidUntil(At(10.5), selfGrants: true));

        lease.Confirmed(ApacEast, At(11));

        // The older of the two confirmations bounds the lease: a majority confirmed it only until then.
        Assert.Equal(At(10) + Period - Offset, lease.ValidUntil(At(11.5), selfGrants: true));

        lease.Confirmed(SaEast, At(12));
        Assert.Equal(At(11) + Period - Offset, lease.ValidUntil(At(12.5), selfGrants: true));
    }

    [Fact]
    public void A_refusal_removes_the_granters_confirmation()
    {
        var lease = new RegionLease(UsEast, 3, Period, Offset, At(0));
        lease.Confirmed(EuWest, At(10));

        lease.Refused(EuWest);

        Assert.Null(lease.ValidUntil(At(10.5), selfGrants: true));

        lease.Confirmed(ApacEast, At(11));
        Assert.Equal(At(11) + Period - Offset, lease.ValidUntil(At(11.5), selfGrants: true));
    }

    [Fact]
    public void A_region_that_holds_itself_away_needs_confirmations_from_a_majority_of_all_regions_among_the_others()
    {
        var three = new RegionLease(UsEast, 3, Period, Offset, At(0));
        three.Confirmed(EuWest, At(10));

        Assert.Null(three.ValidUntil(At(10.5), selfGrants: false));

        three.Confirmed(ApacEast, At(10.2));
        Assert.Equal(At(10) + Period - Offset, three.ValidUntil(At(10.5), selfGrants: false));

        var five = new RegionLease(UsEast, 5, Period, Offset, At(0));
        five.Confirmed(EuWest, At(10));
        five.Confirmed(ApacEast, At(10));
        Assert.Null(five.ValidUntil(At(10.5), selfGrants: false));
        five.Confirmed(AfSouth, At(10));
        Assert.Equal(At(10) + Period - Offset, five.ValidUntil(At(10.5), selfGrants: false));
    }

    [Fact]
    public void A_granter_waits_a_full_period_after_its_last_grant_before_taking_the_holders_grains_away()
    {
        var lease = new RegionLease(EuWest, 3, Period, Offset, At(0));
        lease.Grant(UsEast, At(10));

        Assert.Equal(At(3), lease.WaitBeforeTakeover(UsEast, At(10)));
        Assert.Equal(At(1), lease.WaitBeforeTakeover(UsEast, At(12)));
        Assert.Equal(TimeSpan.Zero, lease.WaitBeforeTakeover(UsEast, At(13)));
        Assert.Equal(TimeSpan.Zero, lease.WaitBeforeTakeover(UsEast, At(60)));

        lease.Grant(UsEast, At(14));
        Assert.Equal(At(2), lease.WaitBeforeTakeover(UsEast, At(15)));
    }

    [Fact]
    public void A_granter_that_just_started_waits_a_full_period_since_its_start_for_a_region_it_never_granted()
    {
        // It may have confirmed that region's lease before it restarted: the record was in memory.
        var lease = new RegionLease(EuWest, 3, Period, Offset, startedAt: At(100));

        Assert.Equal(At(2.5), lease.WaitBeforeTakeover(UsEast, At(100.5)));
        Assert.Equal(TimeSpan.Zero, lease.WaitBeforeTakeover(UsEast, At(103)));

        lease.Grant(ApacEast, At(101));
        Assert.Equal(At(1), lease.WaitBeforeTakeover(UsEast, At(102)));
        Assert.Equal(At(2), lease.WaitBeforeTakeover(ApacEast, At(102)));
    }

    [Fact]
    public void The_granters_period_is_the_full_one_while_the_holder_counts_it_shorter_by_the_clock_offset()
    {
        var holder = new RegionLease(UsEast, 3, Period, Offset, At(0));
        var granter = new RegionLease(EuWest, 3, Period, Offset, At(0));

        // The granter confirms at 10.1 a probe the holder sent at 10.
        granter.Grant(UsEast, At(10.1));
        holder.Confirmed(EuWest, At(10));

        var holderUntil = holder.ValidUntil(At(10.2), selfGrants: true)!.Value;
        var granterFreeAt = At(10.1) + granter.WaitBeforeTakeover(UsEast, At(10.1));
        Assert.True(granterFreeAt - holderUntil >= Offset);
    }

    [Fact]
    public void A_clock_offset_not_below_the_period_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new RegionLease(UsEast, 3, Period, Period, At(0)));
        Assert.Equal("maxClockOffset", error.ParamName);
        Assert.Contains("lease period", error.Message);

        Assert.Throws<ArgumentException>(() => new RegionLease(UsEast, 3, Period, Period + TimeSpan.FromSeconds(1), At(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RegionLease(UsEast, 0, Period, Offset, At(0)));
    }
    [Fact]
    public void A_granter_counts_its_grants_per_region_so_it_waits_a_period_after_the_last_one_to_any_silo_of_it()
    {
        var lease = new RegionLease(EuWest, 3, Period, Offset, At(0));

        // Three silos of us-east and its observer ask one after another: every grant is us-east's.
        lease.Grant(UsEast, At(10));
        lease.Grant(UsEast, At(10.4));
        lease.Grant(UsEast, At(10.9));

        Assert.Equal(At(10.9) + Period - At(11), lease.WaitBeforeTakeover(UsEast, At(11)));
        // Since us-east was declared down at 10.5, only the last grant counts.
        Assert.True(lease.GrantedWithin(UsEast, At(11), At(11) - At(10.5)));
        Assert.False(lease.GrantedWithin(UsEast, At(11.5), At(11.5) - At(11)));
        Assert.False(lease.GrantedWithin(ApacEast, At(11), Period));
    }

    [Fact]
    public void No_takeover_is_accepted_by_a_majority_while_any_silo_of_the_region_holds_its_own_lease()
    {
        // us-east's three silos keep leases of their own (SiloLease), asking eu-west and apac-east (granters, RegionLease)
        // with messages delayed or lost at random; us-east's own acceptor never accepts its own unplanned takeover. At
        // every step: if a silo holds, eu-west and apac-east cannot both accept taking us-east over.
        var random = new Random(16);
        var time = new ManualTimeProvider();
        var origin = time.GetTimestamp();
        TimeSpan Now() => time.GetElapsedTime(origin);
        var granters = new Dictionary<RegionId, RegionLease>
        {
            [EuWest] = new(EuWest, 3, Period, Offset, Now()),
            [ApacEast] = new(ApacEast, 3, Period, Offset, Now()),
        };
        var silos = Enumerable.Range(0, 3).Select(_ => new SiloLease(UsEast, 3, Period, Offset, time)).ToList();
        var inFlight = new List<Request>();

        for (var step = 0; step < 20_000; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(random.Next(1, 60)));
            var now = Now();

            // Silos ask now and then; each request is lost, or arrives and is answered after random delays.
            foreach (var silo in silos)
            {
                foreach (var granter in granters.Keys.Where(_ => random.NextDouble() < 0.05 && random.NextDouble() > 0.2))
                {
                    var arrives = now + TimeSpan.FromMilliseconds(random.Next(0, 800));
                    inFlight.Add(new Request(silo, granter, silo.Now, arrives, arrives + TimeSpan.FromMilliseconds(random.Next(0, 800))));
                }

                if (random.NextDouble() < 0.02)
                {
                    silo.SelfAnswered(silo.Now, grants: true);
                }
            }

            // Each request is granted once, when it arrives (in arrival order), and its answer counts from when it was sent.
            foreach (var request in inFlight.Where(r => !r.Granted && r.ArrivesAt <= now).OrderBy(r => r.ArrivesAt))
            {
                granters[request.Granter].Grant(UsEast, request.ArrivesAt);
                request.Granted = true;
            }

            foreach (var request in inFlight.Where(r => r.AnsweredAt <= now).ToList())
            {
                request.Silo.Answered(request.Granter, request.SentAt, granted: true, fenceGeneration: 0, knownGeneration: 0);
                inFlight.Remove(request);
            }

            var accepting = granters.Values.Count(g => g.WaitBeforeTakeover(UsEast, now) == TimeSpan.Zero);
            Assert.False(silos.Any(s => s.Holds) && accepting >= 2, $"step {step}: a silo holds us-east's lease while eu-west and apac-east would both accept its takeover");
        }
    }

    private sealed class Request(SiloLease silo, RegionId granter, TimeSpan sentAt, TimeSpan arrivesAt, TimeSpan answeredAt)
    {
        public SiloLease Silo { get; } = silo;

        public RegionId Granter { get; } = granter;

        public TimeSpan SentAt { get; } = sentAt;

        public TimeSpan ArrivesAt { get; } = arrivesAt;

        public TimeSpan AnsweredAt { get; } = answeredAt;

        public bool Granted { get; set; }
    }
}
