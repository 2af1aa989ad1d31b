using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace GeoGrains.Testing;

/// <summary>Lets the region clients of a <see cref="GeoTestCluster"/> subscribe to the change feed and use <see cref="GeoContext"/> scopes.</summary>
internal sealed class GeoTestClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.AddMemoryStreams(GeoChangeFeed.ProviderName).AddGeoGrainsClient();
}
