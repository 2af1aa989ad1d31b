namespace GeoGrains;

/// <summary>
/// A client session for <see cref="ReadConsistency.Session"/> reads: the token of what it has seen, updated by every call
/// made in its scope (<see cref="GeoContext.Session"/>), wherever the call lands. Export <see cref="Token"/> to keep the
/// session across processes (a web app keeps it in a cookie) and <see cref="Resume"/> it there.
/// </summary>
public sealed class GeoSession
{
    private const string Prefix = "gs1.";
    private string _token;

    /// <summary>A new session that has seen nothing.</summary>
    public GeoSession() => _token = string.Empty;

    private GeoSession(string token) => _token = token;

    /// <summary>The compact token of what the session has seen; empty for a new session.</summary>
    public string Token => Volatile.Read(ref _token);

    /// <summary>Resumes a session from a token exported before.</summary>
    /// <exception cref="InvalidSessionTokenException">The token is not one GeoGrains issued (its format; its signature is checked by the silos).</exception>
    public static GeoSession Resume(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length != 0 && (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Count(c => c == '.') != 2 || token.Length > 4096))
        {
            throw new InvalidSessionTokenException($"'{(token.Length > 40 ? token[..40] + "…" : token)}' is not a GeoGrains session token (expected '{Prefix}<payload>.<signature>').");
        }

        return new GeoSession(token);
    }

    /// <summary>Takes the token a call returned; the silos merge, so the latest returned token holds everything.</summary>
    internal void Observe(string token)
    {
        if (token.Length != 0)
        {
            Volatile.Write(ref _token, token);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Token;
}
