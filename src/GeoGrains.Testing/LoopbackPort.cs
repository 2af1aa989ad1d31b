using System.Net;
using System.Net.Sockets;

namespace GeoGrains.Testing;

/// <summary>Free loopback ports for the processes tests start (Azurites, silos, gateways).</summary>
internal static class LoopbackPort
{
    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
