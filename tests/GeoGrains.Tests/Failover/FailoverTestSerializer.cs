using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace GeoGrains.Tests.Failover;

/// <summary>The Orleans serializer the acceptor stores its state with, built once for the failover tests.</summary>
internal static class FailoverTestSerializer
{
    public static readonly Serializer Instance = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
}
