namespace GeoGrains;

/// <summary>Base type of every exception GeoGrains raises on purpose.</summary>
[GenerateSerializer]
public class GeoGrainsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GeoGrainsException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with the failure that caused it.</summary>
    public GeoGrainsException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}
