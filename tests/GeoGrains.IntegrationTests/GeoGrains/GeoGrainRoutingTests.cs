using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests.GeoGrains;

[Collection(ThreeRegionsCollection.Name)]
public sealed class GeoGrainRoutingTests(ThreeRegionsFixture fixture)
{
    private static readonly TimeSpan ReplicationTimeout = TimeSpan.FromSeconds(30);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task A_write_from_eu_west_runs_in_the_home_region_and_reaches_the_apac_replica()
    {
        var key = $"us-east/{Guid.NewGuid():N}";

        var receipt = await Geo.Client("eu-west").GetGrain<IProfileGrain>(key).Rename("Alice");

        Assert.Equal("us-east", receipt.ExecutedIn.Value);
        Assert.Equal(Geo["us-east"].ClusterId, receipt.ClusterId);
        Assert.Equal(1, receipt.Version);
        var replica = await Eventually.Succeeds(async () =>
        {
            var view = await Geo.Client("apac-east").GetGrain<IProfileGrain>(key).Get();
            return view.Version == 1 ? view : throw new InvalidOperationException($"apac-east replica at version {view.Version}");
        }, ReplicationTimeout, "the apac-east replica reaches version 1");
        Assert.Equal("Alice", replica.Name);
        Assert.Equal("apac-east", replica.ServedBy.Value);
    }

    [Fact]
    public async Task Reads_in_a_non_home_region_are_served_locally_without_crossing_regions()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        await Geo.Client("us-east").GetGrain<IProfileGrain>(key).Rename("Bob");
        var reader = Geo.Client("eu-west").GetGrain<IProfileGrain>(key);
        await Eventually.Succeeds(async () => (await reader.Get()).Version == 1 ? true : throw new InvalidOperationException("not replicated yet"),
            ReplicationTimeout, "eu-west has version 1");
        var before = Geo.Meter.MessagesFrom<IProfileGrain>("eu-west");

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("Bob", (await reader.Get()).Name);
        }

        Assert.Equal(before, Geo.Meter.MessagesFrom<IProfileGrain>("eu-west"));
    }

    [Fact]
    public async Task Hash_homed_grains_are_written_in_one_stable_region_from_everywhere()
    {
        var key = $"user-{Guid.NewGuid():N}";
        var receipts = new List<WriteReceipt>();
        foreach (var region in Geo.Regions)
        {
            receipts.Add(await Geo.Client(region).GetGrain<IHashedCounterGrain>(key).Increment());
        }

        Assert.Single(receipts.Select(r => r.ExecutedIn).Distinct());
        Assert.Equal([1L, 2L, 3L], receipts.Select(r => r.Version));
    }

    [Fact]
    public async Task A_user_home_function_places_grains_by_country()
    {
        var id = Guid.NewGuid().ToString("N");

        Assert.Equal("eu-west", (await Geo.Client("us-east").GetGrain<ICountryHomedGrain>($"de:{id}").Increment()).ExecutedIn.Value);
        Assert.Equal("apac-east", (await Geo.Client("eu-west").GetGrain<ICountryHomedGrain>($"jp:{id}").Increment()).ExecutedIn.Value);
        var error = await Assert.ThrowsAsync<GrainPlacementException>(() => Geo.Client("eu-west").GetGrain<ICountryHomedGrain>($"br:{id}").Increment());
        Assert.Equal($"br:{id}", error.Key);
        Assert.Contains("no region serves country 'br'", error.Message);
    }

    [Fact]
    public async Task A_key_naming_an_unknown_region_fails_with_a_typed_exception_naming_the_key()
    {
        var error = await Assert.ThrowsAsync<GrainPlacementException>(() => Geo.Client("us-east").GetGrain<IProfileGrain>("mars-north/zed").Rename("x"));

        Assert.Equal("mars-north/zed", error.Key);
        Assert.Contains("region 'mars-north', which is not in the topology", error.Message);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("/alice")]
    [InlineData("eu-west/")]
    public async Task A_malformed_key_fails_with_a_typed_exception_naming_the_key(string key)
    {
        var error = await Assert.ThrowsAsync<GrainPlacementException>(() => Geo.Client("eu-west").GetGrain<IProfileGrain>(key).Get());

        Assert.Equal(key, error.Key);
        Assert.Contains("expected '<region>/<id>'", error.Message);
    }

    [Fact]
    public async Task A_write_to_a_geo_grain_of_an_unregistered_type_fails_with_a_typed_exception()
    {
        var error = await Assert.ThrowsAsync<GeoGrainNotRegisteredException>(() => Geo.Client("eu-west").GetGrain<IUnregisteredGeoGrain>("eu-west/x").Write());

        Assert.Contains(nameof(UnregisteredGeoGrain), error.GrainType);
        Assert.Contains("add [GeoGrain(...)]", error.Message);
    }

    [Fact]
    public async Task A_read_only_method_cannot_change_state()
    {
        var key = $"eu-west/{Guid.NewGuid():N}";
        var grain = Geo.Client("eu-west").GetGrain<IProfileGrain>(key);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.SneakyWrite());

        Assert.Contains("[ReadOnly]", error.Message);
        Assert.Equal(0, (await grain.Get()).Version);
    }

    [Fact]
    public async Task Asking_to_rehome_a_grain_that_is_not_a_geo_grain_fails_with_a_typed_exception()
    {
        var plain = Geo.Client("us-east").GetGrain<ICounterGrain>("plain");

        var error = await Assert.ThrowsAsync<GeoGrainNotRegisteredException>(
            () => Geo.Client("us-east").GetGrain<IGeoAdminGrain>(0).Rehome(plain.GetGrainId(), "eu-west"));

        Assert.Contains("does not derive from GeoGrain", error.Message);
    }
}
