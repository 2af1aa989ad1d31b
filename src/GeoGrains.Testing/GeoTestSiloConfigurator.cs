using System.Collections.Concurrent;
using Orleans.TestingHost;

namespace GeoGrains.Testing;

/// <summary>
/// Connects the silos that TestingHost builds from configuration to their <see cref="GeoTestCluster"/>, whose shared
/// objects (network emulator, meter, storage accounts) cannot travel through configuration.
/// </summary>
internal sealed class GeoTestSiloConfigurator : ISiloConfigurator
{
    internal const string InstanceKey = "GeoGrains:Testing:Instance";
    internal const string RegionKey = "GeoGrains:Testing:Region";

    private static readonly ConcurrentDictionary<string, GeoTestCluster> Clusters = new();

    internal static void Register(string instance, GeoTestCluster cluster) => Clusters[instance] = cluster;

    internal static void Unregister(string instance) => Clusters.TryRemove(instance, out _);

    public void Configure(ISiloBuilder siloBuilder)
    {
        var instance = siloBuilder.Configuration[InstanceKey]
            ?? throw new InvalidOperationException($"'{InstanceKey}' is missing from the silo configuration.");
        if (!Clusters.TryGetValue(instance, out var cluster))
        {
            throw new InvalidOperationException($"GeoTestCluster '{instance}' is not running in this process.");
        }

        cluster.ConfigureSilo(RegionId.Parse(siloBuilder.Configuration[RegionKey]!), siloBuilder);
    }
}
