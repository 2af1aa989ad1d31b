namespace GeoGrains;

/// <summary>The region-aware client's settings (<c>GeoGrains:Client</c>) are invalid; the message names the setting and the problem.</summary>
public sealed class InvalidGeoClientOptionsException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public InvalidGeoClientOptionsException(string message) : base(message)
    {
    }
}
