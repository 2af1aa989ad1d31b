using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace GeoGrains.IntegrationTests.Consistency;

/// <summary>
/// Safe times on real regions: every silo of a replica region knows, per source region, up to when it has every change,
/// kept current by heartbeats while the source is idle and held back (never passing a change it lacks) while replication
/// to it is held back by the WAN emulator.
/// </summary>
[Collection(ThreeRegionsCollection.Name)]
public sealed class ReplicaFreshnessTests(ThreeRegionsFixture fixture) : NetworkFaultTests(() => fixture.Geo)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Well above a heartbeat interval (500 ms) plus the longest one-way delay, well below what a held-back link reaches.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Every_silo_of_a_replica_region_sees_an_idle_sources_safe_time_keep_advancing_and_its_lag_stay_bounded()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        using var write = GeoContext.Use();
        await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Rename("idle");
        var committedAt = write.Last!.CommittedAt;

        foreach (var (silo, freshness) in FreshnessIn("eu-west"))
        {
            Assert.True(await freshness.WaitForAsync("us-east", committedAt, Timeout), $"{silo}: safe time never reached the write");

            // No more writes: heartbeats alone carry the safe time past any moment, again and again.
            for (var round = 0; round < 3; round++)
            {
                var now = new HybridTimestamp(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0);
                Assert.True(await freshness.WaitForAsync("us-east", now, Timeout), $"{silo}: safe time stopped at {freshness.SafeTime("us-east")}, before {now}");
                var lag = freshness.Lag("us-east");
                Assert.True(lag <= Bound, $"{silo}: lag {lag} of an idle source exceeds {Bound}");
            }
        }

        Assert.Equal(1, (await Geo.Client("eu-west").GetGrain<IProfileGrain>(key).Get()).Version);
        Assert.True(Geo.Replication.Get("us-east", "eu-west").HeartbeatsSent > 0, "no heartbeat was counted while the source was idle");
    }

    [Fact]
    public async Task A_region_held_back_reports_a_growing_lag_that_never_passes_the_change_it_lacks_and_falls_back_after_release()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        Geo.Network.Drop<IReplicationReceiverGrain>("us-east", "apac-east");
        using var write = GeoContext.Use();
        await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Rename("held back");
        var committedAt = write.Last!.CommittedAt;

        foreach (var (silo, freshness) in FreshnessIn("apac-east"))
        {
            await Eventually.Succeeds(
                () => Task.FromResult(freshness.Lag("us-east") is not { } lag || lag > Bound ? true : throw new InvalidOperationException($"lag {lag}")),
                Timeout, $"{silo}: apac-east's lag for us-east passes {Bound}");
            var safeTime = freshness.SafeTime("us-east");
            Assert.True(safeTime is null || safeTime < committedAt, $"{silo}: safe time {safeTime} claims the held-back change at {committedAt}");
        }

        // The other replica region, not held back, stays fresh.
        foreach (var (silo, freshness) in FreshnessIn("eu-west"))
        {
            Assert.True(await freshness.WaitForAsync("us-east", committedAt, Timeout), $"{silo}: eu-west never reached the write");
            Assert.True(freshness.Lag("us-east") <= Bound, $"{silo}: eu-west lag {freshness.Lag("us-east")}");
        }

        Geo.Heal();
        foreach (var (silo, freshness) in FreshnessIn("apac-east"))
        {
            Assert.True(await freshness.WaitForAsync("us-east", committedAt, Timeout), $"{silo}: safe time never reached the write after release");
            await Eventually.Succeeds(
                () => Task.FromResult(freshness.Lag("us-east") <= Bound ? true : throw new InvalidOperationException($"lag {freshness.Lag("us-east")}")),
                Timeout, $"{silo}: apac-east's lag for us-east back within {Bound}");
        }

        // Safe time at the write means the replica has it.
        var replica = await Geo.Client("apac-east").GetGrain<IProfileGrain>(key).Get();
        Assert.Equal(("apac-east", 1L, "held back"), (replica.ServedBy.Value, replica.Version, replica.Name));
    }

    private IEnumerable<(string Silo, ReplicaFreshness Freshness)> FreshnessIn(RegionId region) =>
        Geo[region].Cluster!.Silos
            .Cast<InProcessSiloHandle>()
            .Select(s => (s.SiloAddress.ToString(), s.ServiceProvider.GetRequiredService<ReplicaFreshness>()))
            .ToList();
}
