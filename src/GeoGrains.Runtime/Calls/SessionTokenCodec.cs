using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GeoGrains.Runtime.Calls;

/// <summary>
/// Session tokens as callers carry them: <c>gs1.&lt;payload&gt;.&lt;signature&gt;</c>, the payload the
/// <see cref="SessionVector"/> ("region=ms.logical,..."), the signature an HMAC-SHA256 (first 16 bytes) under the
/// service's session key, so that a token a client made up or altered is refused rather than trusted.
/// </summary>
internal sealed class SessionTokenCodec
{
    private const string Prefix = "gs1.";
    private const int SignatureBytes = 16;
    private readonly byte[] _key;

    /// <summary>A codec signing with <paramref name="configuredKey"/> (<c>GeoGrains:SessionTokenKey</c>), else with a key derived from <paramref name="serviceId"/>.</summary>
    public SessionTokenCodec(string? configuredKey, string serviceId)
    {
        // Without a configured key, one derived from the service id: tokens still cannot be garbled or mixed between
        // services, but anyone who knows the service id could sign one; production deployments set SessionTokenKey.
        _key = configuredKey is { Length: > 0 } configured
            ? KeyOf(configured)
            : SHA256.HashData(Encoding.UTF8.GetBytes($"geograins-session-token:{serviceId}"));
    }

    /// <summary>Decodes a configured key, or throws <see cref="InvalidTopologyException"/> naming the setting.</summary>
    public static byte[] KeyOf(string base64)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new InvalidTopologyException("GeoGrains:SessionTokenKey is not base64; give at least 16 random bytes, base64-encoded.");
        }

        return key.Length >= 16 ? key : throw new InvalidTopologyException($"GeoGrains:SessionTokenKey has {key.Length} bytes; give at least 16 random bytes, base64-encoded.");
    }

    /// <summary>The vector a token carries; an empty or absent token is an empty vector.</summary>
    /// <exception cref="InvalidSessionTokenException">The token is malformed or its signature does not match.</exception>
    public SessionVector Read(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return SessionVector.Empty;
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0] + "." != Prefix || token.Length > 4096)
        {
            throw Malformed(token, $"expected '{Prefix}<payload>.<signature>'");
        }

        byte[] payload, signature;
        try
        {
            payload = Base64Url.DecodeFromChars(parts[1]);
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (FormatException)
        {
            throw Malformed(token, "its payload or signature is not base64url");
        }

        if (!CryptographicOperations.FixedTimeEquals(signature, Sign(payload)))
        {
            throw new InvalidSessionTokenException($"Session token '{Shorten(token)}' was not issued by this service: its signature does not match.");
        }

        var seen = SessionVector.Empty;
        foreach (var entry in Encoding.UTF8.GetString(payload).Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var dot = entry.LastIndexOf('.');
            if (equals <= 0 || dot <= equals
                || !RegionId.TryParse(entry[..equals], out var region)
                || !long.TryParse(entry.AsSpan(equals + 1, dot - equals - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var physical)
                || !int.TryParse(entry.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var logical))
            {
                throw Malformed(token, $"entry '{entry}' is not region=milliseconds.logical");
            }

            seen = seen.Observe(region, new HybridTimestamp(physical, logical));
        }

        return seen;
    }

    /// <summary>The signed token of <paramref name="vector"/>.</summary>
    public string Write(SessionVector vector)
    {
        var payload = Encoding.UTF8.GetBytes(string.Join(',', vector.Seen.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key.Value}={e.Value.PhysicalMilliseconds}.{e.Value.Logical}"))));
        return $"{Prefix}{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(Sign(payload))}";
    }

    private byte[] Sign(byte[] payload) => HMACSHA256.HashData(_key, payload)[..SignatureBytes];

    private static InvalidSessionTokenException Malformed(string token, string problem) =>
        new($"'{Shorten(token)}' is not a GeoGrains session token: {problem}.");

    private static string Shorten(string token) => token.Length > 40 ? token[..40] + "…" : token;
}
