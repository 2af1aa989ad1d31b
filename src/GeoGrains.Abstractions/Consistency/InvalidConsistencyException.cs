namespace GeoGrains;

/// <summary>A read consistency level or a replication mode that cannot be used: undefined, out of range, or impossible in this topology.</summary>
[GenerateSerializer]
public sealed class InvalidConsistencyException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public InvalidConsistencyException(string message) : base(message)
    {
    }
}
