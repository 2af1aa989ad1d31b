using GeoGrains.Testing;

namespace GeoGrains.IntegrationTests;

/// <summary>us-east and eu-west with one silo each, for a test class that only needs calls to cross one link.</summary>
public sealed class TwoRegionsFixture : IAsyncLifetime
{
    /// <summary>
    /// Far longer than any test waits: a forwarded call that times out is cancelled at the owner by Orleans itself, which
    /// must not pass for the caller's cancellation reaching it.
    /// </summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(90);

    public GeoTestCluster Geo { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Geo = await new GeoTestClusterBuilder().WithRegions("us-east", "eu-west").WithCallTimeout(CallTimeout).StartAsync();

    public async Task DisposeAsync() => await Geo.DisposeAsync();
}
