using System.Text;

namespace GeoGrains.Runtime.Storage;

/// <summary>Turns any text (a grain id, a state name) into a valid Azure Table key, and names the GeoGrains partitions.</summary>
internal static class TableKeys
{
    /// <summary>
    /// Percent-encodes the characters Azure Table keys forbid ('/', '\', '#', '?', control characters) and '%' itself, so
    /// that the encoding is reversible and keys keep their order within one prefix.
    /// </summary>
    public static string Escape(string text)
    {
        var clean = true;
        foreach (var c in text)
        {
            if (MustEscape(c))
            {
                clean = false;
                break;
            }
        }

        if (clean)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (MustEscape(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2"));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>Reverses <see cref="Escape"/>.</summary>
    public static string Unescape(string key)
    {
        if (!key.Contains('%'))
        {
            return key;
        }

        var builder = new StringBuilder(key.Length);
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] == '%' && i + 2 < key.Length)
            {
                builder.Append((char)Convert.ToInt32(key.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                builder.Append(key[i]);
            }
        }

        return builder.ToString();
    }

    /// <summary>The smallest key greater than every key that starts with <paramref name="prefix"/>.</summary>
    public static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    private static bool MustEscape(char c) => c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c);
}
