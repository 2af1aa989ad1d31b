using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>Planned switchovers: draining a region and restoring it, and the automatic failback of a region that returned.</summary>
public sealed class DrainAndFailbackTests(FailbackFixture fixture) : IClassFixture<FailbackFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan FailbackAfter = FailbackFixture.FailbackAfter;
    private static readonly RegionId[] All = [UsEast, EuWest, ApacEast];

    private readonly GeoTestCluster _geo = fixture.Geo;

    [Fact]
    public async Task Draining_and_restoring_a_region_lose_nothing_and_apply_nothing_twice()
    {
        var keys = Enumerable.Range(0, 3).Select(i => $"us-east/drain-{i}-{Guid.NewGuid():N}").ToList();
        var clients = new AppendWriters(_geo.Client);
        var acknowledged = clients.Acknowledged;
        using var stop = new CancellationTokenSource();
        var writers = keys.SelectMany((key, k) => All.Select((via, w) => clients.RunAsync(key, via, Durability.Async, k * 100_000 + w * 10_000, stop.Token))).ToList();
        await Eventually.Holds(() => keys.All(key => acknowledged.Count(a => a.Key == key) >= 3), Timeout, "writes before the drain");

        // Drained: every grain moves away from us-east, writes go on at the successors.
        await _geo.Client(EuWest).DrainRegionAsync(UsEast);
        var drainedAt = DateTimeOffset.UtcNow;
        await Eventually.Holds(() => keys.All(key => acknowledged.Count(a => a.Key == key && a.At > drainedAt && a.ExecutedIn != UsEast) >= 3), Timeout, "writes at the successors");
        foreach (var key in keys)
        {
            Assert.NotEqual(UsEast, (await _geo.Client(UsEast).GetOwnerAsync(_geo.Client(UsEast).GetGrain<IProfileGrain>(key))).Owner);
        }

        // Restored: back at us-east.
        await _geo.Client(ApacEast).RestoreRegionAsync(UsEast);
        var restoredAt = DateTimeOffset.UtcNow;
        await Eventually.Holds(() => keys.All(key => acknowledged.Count(a => a.Key == key && a.At > restoredAt && a.ExecutedIn == UsEast) >= 3), Timeout, "writes at us-east again");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        foreach (var key in keys)
        {
            clients.AssertNothingLostOrDoubled(key, await clients.StrongReadAsync(EuWest, key));
        }

        var timeline = await _geo.Client(EuWest).GetGrain<IRegionHealthGrain>(0).GetTimeline();
        Assert.Contains(timeline, e => e.Subject == UsEast && e.Change == RegionHealthChange.OwnershipTransferred && e.Detail.Contains("drained", StringComparison.Ordinal));
        Assert.Contains(timeline, e => e.Subject == UsEast && e.Change == RegionHealthChange.FailedBack);
    }

    [Fact]
    public async Task A_region_that_returns_after_a_failure_gets_its_grains_back_once_it_has_been_healthy_for_the_stable_period()
    {
        var key = $"apac-east/failback-{Guid.NewGuid():N}";
        var clients = new AppendWriters(_geo.Client);
        var acknowledged = clients.Acknowledged;
        using var stop = new CancellationTokenSource();
        var writers = new[] { UsEast, EuWest }.Select((via, w) => clients.RunAsync(key, via, Durability.Sync, w * 10_000, stop.Token)).ToList();
        await Eventually.Holds(() => acknowledged.Count >= 3, Timeout, "writes before the kill");

        await _geo.KillRegionAsync(ApacEast);
        var killedAt = DateTimeOffset.UtcNow;
        await Eventually.Holds(() => acknowledged.Count(a => a.At > killedAt) >= 3, Timeout, "writes at a successor");
        await _geo.RestartRegionAsync(ApacEast);
        var restartedAt = DateTimeOffset.UtcNow;

        // Nobody asks: after the stable period the regions give apac-east its grain back, and writes run there again.
        await Eventually.Holds(() => acknowledged.Count(a => a.At > restartedAt && a.ExecutedIn == ApacEast) >= 3, Timeout, "writes at apac-east again");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        clients.AssertNothingLostOrDoubled(key, await clients.StrongReadAsync(UsEast, key));
        var timeline = await _geo.Client(UsEast).GetGrain<IRegionHealthGrain>(0).GetTimeline();
        var failedBack = Assert.Single(timeline, e => e.Subject == ApacEast && e.Change == RegionHealthChange.FailedBack && e.At >= killedAt);
        Assert.True(failedBack.At >= restartedAt + FailbackAfter, $"failed back at {failedBack.At:O}, before the stable period after {restartedAt:O}");
    }

    [Fact]
    public async Task Draining_an_unknown_region_is_refused_naming_it_and_restoring_a_region_that_owns_its_grains_changes_nothing()
    {
        var unknown = await Assert.ThrowsAsync<UnknownRegionException>(() => _geo.Client(EuWest).DrainRegionAsync("mars-north"));
        Assert.Contains("mars-north", unknown.Message, StringComparison.Ordinal);

        var key = $"eu-west/restore-noop-{Guid.NewGuid():N}";
        await _geo.Client(EuWest).GetGrain<IProfileGrain>(key).Append(1);
        var before = await _geo.Client(EuWest).GetOwnerAsync(_geo.Client(EuWest).GetGrain<IProfileGrain>(key));
        await _geo.Client(UsEast).RestoreRegionAsync(EuWest);
        var after = await _geo.Client(EuWest).GetOwnerAsync(_geo.Client(EuWest).GetGrain<IProfileGrain>(key));
        Assert.Equal(before, after);
    }
}
