namespace GeoGrains;

/// <summary>The rules an idempotency key follows (see <see cref="GeoContext.Idempotent"/>).</summary>
public static class IdempotencyKeys
{
    /// <summary>The longest key, in characters: keys are kept in the grain's record for the whole window.</summary>
    public const int MaxLength = 128;

    /// <summary>Returns <paramref name="key"/> if it can be used as an idempotency key.</summary>
    /// <exception cref="InvalidIdempotencyKeyException">It is null, empty, only white space, too long, or holds control characters.</exception>
    public static string Check(string? key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new InvalidIdempotencyKeyException(
                $"An idempotency key must be a non-empty string (e.g. a GUID), not {(key is null ? "null" : $"'{key}'")}.");
        }

        if (key.Length > MaxLength)
        {
            throw new InvalidIdempotencyKeyException(
                $"The idempotency key '{key[..32]}…' is {key.Length} characters long; at most {MaxLength} are allowed.");
        }

        if (key.Any(char.IsControl))
        {
            throw new InvalidIdempotencyKeyException(
                $"The idempotency key '{new string([.. key.Select(c => char.IsControl(c) ? '?' : c)])}' holds control characters.");
        }

        return key;
    }

    /// <summary>Reads an idempotency key off a call (its <c>RequestContext</c> entry): <see langword="null"/> when absent.</summary>
    /// <exception cref="InvalidIdempotencyKeyException">The entry is not a string, or not a valid key.</exception>
    internal static string? FromRequest(object? entry) => entry switch
    {
        null => null,
        string key => Check(key),
        _ => throw new InvalidIdempotencyKeyException($"An idempotency key must be a string, not a {entry.GetType().Name}."),
    };
}
