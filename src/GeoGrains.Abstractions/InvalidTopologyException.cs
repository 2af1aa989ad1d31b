namespace GeoGrains;

/// <summary>
/// The configured topology (regions, gateways, round-trip times) cannot be used. The message names the problem.
/// Raised at startup, before any silo accepts traffic.
/// </summary>
[GenerateSerializer]
public sealed class InvalidTopologyException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public InvalidTopologyException(string message) : base("Invalid GeoGrains topology: " + message)
    {
    }

    /// <summary>Creates the exception with the failure that revealed the problem (e.g. the storage client's error).</summary>
    public InvalidTopologyException(string message, Exception? innerException) : base("Invalid GeoGrains topology: " + message, innerException)
    {
    }
}
