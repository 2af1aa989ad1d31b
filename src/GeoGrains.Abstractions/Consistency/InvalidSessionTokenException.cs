namespace GeoGrains;

/// <summary>A session token that is malformed, or was not issued by this service (its signature does not match).</summary>
[GenerateSerializer]
public sealed class InvalidSessionTokenException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public InvalidSessionTokenException(string message) : base(message)
    {
    }
}
