using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Streams;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// The Orleans streams a region publishes on (change feed, conflicts, reconciliations): one per provider and namespace,
/// keyed by the region's id, which is what subscribers in every region ask for.
/// </summary>
internal static class RegionStreams
{
    /// <summary>The stream of <paramref name="region"/> in <paramref name="streamNamespace"/> of the silo's provider <paramref name="provider"/>.</summary>
    public static IAsyncStream<T> Of<T>(IServiceProvider services, string provider, string streamNamespace, RegionId region) =>
        services.GetRequiredKeyedService<IStreamProvider>(provider).GetStream<T>(StreamId.Create(streamNamespace, region.Value));
}
