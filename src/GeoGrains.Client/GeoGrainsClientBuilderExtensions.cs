using GeoGrains.Calls;

namespace Orleans.Hosting;

/// <summary>GeoGrains for Orleans clients.</summary>
public static class GeoGrainsClientBuilderExtensions
{
    /// <summary>
    /// Lets the client's calls to geo grains take their consistency from <c>GeoContext</c> scopes and report what served
    /// them (<c>GeoCallScope.Last</c>), and keeps <c>GeoSession</c> tokens current. Silos running GeoGrains have it already.
    /// </summary>
    public static IClientBuilder AddGeoGrainsClient(this IClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddOutgoingGrainCallFilter<GeoCallContextFilter>();
    }
}
