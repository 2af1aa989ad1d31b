namespace GeoGrains;

/// <summary>
/// An idempotency key that cannot be used: empty, only white space, longer than
/// <see cref="IdempotencyKeys.MaxLength"/> characters, holding control characters, or not a string.
/// </summary>
[GenerateSerializer]
public sealed class InvalidIdempotencyKeyException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public InvalidIdempotencyKeyException(string message) : base(message)
    {
    }
}
