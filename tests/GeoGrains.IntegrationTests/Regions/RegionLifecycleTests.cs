using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.Regions;

/// <summary>Killing, restarting and wiping regions. Its own cluster, since these tests take regions down.</summary>
public sealed class RegionLifecycleTests(LifecycleClusterFixture fixture) : IClassFixture<LifecycleClusterFixture>
{
    private static readonly TimeSpan CallTimeout = LifecycleClusterFixture.CallTimeout;
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task Kill_and_restart_a_region_keeps_its_stored_data_and_other_regions_reach_it_again()
    {
        var counter = Geo.Client("us-east").GetGrain<ICounterGrain>("kept");
        await counter.Increment();
        await counter.Increment();
        Assert.Equal(3, await counter.Increment());
        var fromEurope = Geo.Client("eu-west").GetGrain<IRemoteCallerGrain>("caller");
        Assert.Equal(4, await fromEurope.IncrementRemoteCounter("us-east", "kept"));

        await Geo.KillRegionAsync("us-east");

        Assert.False(Geo["us-east"].IsRunning);
        Assert.Throws<InvalidOperationException>(() => Geo.Client("us-east"));
        var error = await Assert.ThrowsAsync<RegionUnreachableException>(
            () => fromEurope.IncrementRemoteCounter("us-east", "kept").WaitAsync(CallTimeout + RecoveryTimeout));
        Assert.Equal("us-east", error.To.Value);
        Assert.Equal("eu-west", error.From.Value);
        Assert.True(Geo["us-east"].Storage.Count > 0, "the region's storage account lost its data with its silos");

        await Geo.RestartRegionAsync("us-east");

        Assert.True(Geo["us-east"].IsRunning);
        Assert.Equal(2, Geo["us-east"].Cluster!.Silos.Count);
        Assert.Equal(4, await Geo.Client("us-east").GetGrain<ICounterGrain>("kept").Get());
        var afterRestart = await Eventually.Succeeds(
            () => fromEurope.IncrementRemoteCounter("us-east", "kept"), RecoveryTimeout, "eu-west reaches the restarted us-east");
        Assert.Equal(5, afterRestart);
    }

    [Fact]
    public async Task Killing_one_region_leaves_the_others_working()
    {
        await Geo.KillRegionAsync("apac-east");
        try
        {
            var call = await Geo.Client("us-east").GetGrain<IRemoteCallerGrain>("c").CallWhereAmI("eu-west", "k");

            Assert.Equal(Geo["eu-west"].ClusterId, call.Callee.ClusterId);
            await Assert.ThrowsAsync<RegionUnreachableException>(
                () => Geo.Client("us-east").GetGrain<IRemoteCallerGrain>("c").CallWhereAmI("apac-east", "k").WaitAsync(CallTimeout + RecoveryTimeout));
        }
        finally
        {
            await Geo.RestartRegionAsync("apac-east");
        }
    }

    [Fact]
    public async Task Wiping_a_regions_storage_loses_its_data_as_losing_the_account_would()
    {
        Assert.Equal(1, await Geo.Client("eu-west").GetGrain<ICounterGrain>("wiped").Increment());
        Assert.Equal(1, await Geo.Client("apac-east").GetGrain<ICounterGrain>("wiped").Increment());

        await Geo.KillRegionAsync("eu-west");
        Geo.WipeRegionStorage("eu-west");
        Assert.Equal(0, Geo["eu-west"].Storage.Count);
        await Geo.RestartRegionAsync("eu-west");

        Assert.Equal(0, await Geo.Client("eu-west").GetGrain<ICounterGrain>("wiped").Get());

        // Each region has its own account: apac-east still has its copy.
        Assert.Equal(1, await Geo.Client("apac-east").GetGrain<ICounterGrain>("wiped").Get());
    }

    [Fact]
    public async Task Restarting_a_running_region_is_refused()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Geo.RestartRegionAsync("us-east"));

        Assert.Contains("'us-east' is running", error.Message);
    }
}
