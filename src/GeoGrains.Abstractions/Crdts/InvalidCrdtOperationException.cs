namespace GeoGrains.Crdts;

/// <summary>An operation a CRDT cannot take (a negative increment of a grow-only counter, say); the copy is unchanged.</summary>
[GenerateSerializer]
public sealed class InvalidCrdtOperationException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public InvalidCrdtOperationException(string message) : base(message)
    {
    }
}
