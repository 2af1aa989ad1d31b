using System.Threading.Channels;
using GeoGrains.Testing;
using Orleans.Runtime;
using Orleans.Streams;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// Region health on three real regions: a region is declared down only when a majority of regions suspect it, so one cut
/// link declares nothing, while an isolated or killed region is declared down by the two others, and up again once it is back.
/// </summary>
public sealed class RegionHealthTests(RegionHealthFixture fixture) : IClassFixture<RegionHealthFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly RegionId UsEast = RegionId.Parse("us-east");
    private static readonly RegionId EuWest = RegionId.Parse("eu-west");
    private static readonly RegionId ApacEast = RegionId.Parse("apac-east");
    private static readonly RegionId[] All = [UsEast, EuWest, ApacEast];

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task A_cut_link_makes_its_two_ends_suspect_each_other_and_nobody_declares_anything()
    {
        await AllHealthyAsync();
        var cutAt = DateTimeOffset.UtcNow;
        Geo.Partition(UsEast, EuWest);
        try
        {
            await UntilAsync(UsEast, v => v.Suspects(EuWest), "us-east suspects eu-west");
            await UntilAsync(EuWest, v => v.Suspects(UsEast), "eu-west suspects us-east");

            // apac-east has heard both suspicions (the votes travel on its working links) and probed everyone again since.
            var heard = await UntilAsync(ApacEast, v => Reported(v, UsEast, EuWest) && Reported(v, EuWest, UsEast), "apac-east hears both suspicions");
            await UntilAsync(ApacEast, v => v.Rounds >= heard.Rounds + RegionHealthFixture.FailuresToSuspect + 1, "apac-east probes every region again");
            await UntilAsync(UsEast, v => v.Rounds >= heard.Rounds + 1, "us-east probes again");

            foreach (var region in All)
            {
                var view = await ViewAsync(region);
                Assert.Empty(view.DeclaredDown);
                Assert.DoesNotContain(await TimelineSinceAsync(region, cutAt), e => e.Change == RegionHealthChange.DeclaredDown);
            }

            Assert.Empty((await ViewAsync(ApacEast)).Suspected);
        }
        finally
        {
            Geo.Heal();
        }

        await AllHealthyAsync();
    }

    [Fact]
    public async Task An_isolated_region_is_declared_down_by_the_others_declares_nothing_itself_and_is_declared_up_after_healing()
    {
        await AllHealthyAsync();
        var isolatedAt = DateTimeOffset.UtcNow;
        Geo.Isolate(UsEast);
        try
        {
            await UntilAsync(EuWest, v => v.HoldsDown(UsEast), "eu-west declares us-east down");
            await UntilAsync(ApacEast, v => v.HoldsDown(UsEast), "apac-east declares us-east down");
            var alone = await UntilAsync(UsEast, v => v.Suspects(EuWest) && v.Suspects(ApacEast), "us-east suspects both others");
            await UntilAsync(UsEast, v => v.Rounds >= alone.Rounds + RegionHealthFixture.FailuresToSuspect + 1, "us-east probes every region again");

            Assert.Empty((await ViewAsync(UsEast)).DeclaredDown);
            Assert.DoesNotContain(await TimelineSinceAsync(UsEast, isolatedAt), e => e.Change == RegionHealthChange.DeclaredDown);
        }
        finally
        {
            Geo.Heal();
        }

        await AllHealthyAsync();
        foreach (var region in new[] { EuWest, ApacEast })
        {
            var changes = (await TimelineSinceAsync(region, isolatedAt)).Where(e => e.Subject == UsEast).Select(e => e.Change).ToList();
            AssertDownThenUp(changes);
        }
    }

    [Fact]
    public async Task A_killed_region_is_declared_down_on_the_others_health_stream_and_up_again_after_its_restart()
    {
        await AllHealthyAsync();
        var received = Channel.CreateUnbounded<RegionHealthEvent>();
        var stream = Geo.Client(EuWest).GetStreamProvider(RegionHealthStream.ProviderName)
            .GetStream<RegionHealthEvent>(StreamId.Create(RegionHealthStream.Namespace, EuWest.Value));
        var subscription = await stream.SubscribeAsync((e, _) => e.Subject == UsEast ? received.Writer.WriteAsync(e).AsTask() : Task.CompletedTask);
        try
        {
            await Geo.KillRegionAsync(UsEast);

            await UntilAsync(EuWest, v => v.HoldsDown(UsEast), "eu-west declares the killed us-east down");
            await UntilAsync(ApacEast, v => v.HoldsDown(UsEast), "apac-east declares the killed us-east down");

            await Geo.RestartRegionAsync(UsEast);

            await AllHealthyAsync();
            var changes = new List<RegionHealthChange>();
            using var deadline = new CancellationTokenSource(Timeout);
            // Until the stream has caught up with the view (every region healthy): up and cleared are the last words.
            while (changes.LastOrDefault(c => c is RegionHealthChange.DeclaredDown or RegionHealthChange.DeclaredUp) != RegionHealthChange.DeclaredUp
                || changes.LastOrDefault(c => c is RegionHealthChange.Suspected or RegionHealthChange.Cleared) != RegionHealthChange.Cleared)
            {
                var health = await received.Reader.ReadAsync(deadline.Token);
                Assert.Equal(EuWest, health.Observer);
                Assert.NotNull(health.Timestamp);
                changes.Add(health.Change);
            }

            AssertDownThenUp(changes);
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    /// <summary>
    /// The observer's own suspicion comes first (with three regions it is one of the two votes needed), then the
    /// declaration; when the region is back, its suspicion clears and its declaration ends, in either order. On a busy
    /// machine the declaration may flap before that (the third region's vote does not count while the observer briefly
    /// suspects it), but the last word on each is that the region is up.
    /// </summary>
    private static void AssertDownThenUp(List<RegionHealthChange> changes)
    {
        Assert.Equal([RegionHealthChange.Suspected, RegionHealthChange.DeclaredDown], changes.Take(2));
        var rest = changes.Skip(2).ToList();
        Assert.Equal(RegionHealthChange.Cleared, rest.Last(c => c is RegionHealthChange.Suspected or RegionHealthChange.Cleared));
        Assert.Equal(RegionHealthChange.DeclaredUp, rest.Last(c => c is RegionHealthChange.DeclaredDown or RegionHealthChange.DeclaredUp));
    }

    private static bool Reported(RegionHealthView view, RegionId reporter, RegionId suspect) =>
        view.Reports.Any(r => r.Reporter == reporter && r.Suspects.Contains(suspect));

    private Task<RegionHealthView> ViewAsync(RegionId region) => Geo.Client(region).GetGrain<IRegionHealthGrain>(0).GetView();

    private async Task<List<RegionHealthEvent>> TimelineSinceAsync(RegionId region, DateTimeOffset since) =>
        [.. (await Geo.Client(region).GetGrain<IRegionHealthGrain>(0).GetTimeline()).Where(e => e.At >= since)];

    private Task<RegionHealthView> UntilAsync(RegionId region, Func<RegionHealthView, bool> condition, string what) =>
        Eventually.Succeeds(async () =>
        {
            var view = await ViewAsync(region);
            return condition(view) ? view : throw new InvalidOperationException($"not yet; {region} suspects [{string.Join(", ", view.Suspected.Select(s => s.Region))}], holds down [{string.Join(", ", view.DeclaredDown.Select(s => s.Region))}]");
        }, Timeout, what);

    /// <summary>Every region has probed every other successfully and holds nobody suspected or down.</summary>
    private async Task AllHealthyAsync()
    {
        foreach (var region in All)
        {
            await UntilAsync(region, v => v.Suspected.Count == 0 && v.DeclaredDown.Count == 0 && v.Reports.Count == All.Length - 1 && v.Reports.All(r => r.Suspects.Count == 0),
                $"{region} sees every region healthy");
        }
    }
}
