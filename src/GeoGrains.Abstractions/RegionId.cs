using System.Text.RegularExpressions;

namespace GeoGrains;

/// <summary>
/// Identifies a region: one independent Orleans cluster with its own storage, for example <c>eu-west</c>.
/// </summary>
/// <remarks>
/// A region id is lower-case ASCII letters, digits and hyphens, starts with a letter and is at most 63
/// characters long, so that it can be embedded in grain keys, cluster ids, metric tags and DNS names unchanged.
/// </remarks>
[GenerateSerializer, Immutable]
public readonly partial record struct RegionId : IComparable<RegionId>
{
    private const int MaxLength = 63;

    /// <summary>Creates a region id, validating its form.</summary>
    /// <param name="value">The region's name, e.g. <c>us-east</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is not a valid region id.</exception>
    public RegionId(string value)
    {
        if (!IsValid(value, out var problem))
        {
            throw new ArgumentException($"'{value}' is not a valid region id: {problem}.", nameof(value));
        }

        Value = value;
    }

    /// <summary>The region's name.</summary>
    [Id(0)]
    public string Value { get; }

    /// <summary>Parses a region id.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is not a valid region id.</exception>
    public static RegionId Parse(string value) => new(value);

    /// <summary>Tries to parse a region id.</summary>
    public static bool TryParse(string? value, out RegionId region)
    {
        if (IsValid(value, out _))
        {
            region = new RegionId(value!);
            return true;
        }

        region = default;
        return false;
    }

    /// <inheritdoc />
    public int CompareTo(RegionId other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value ?? "<none>";

    /// <summary>Converts a string to a region id, validating it.</summary>
    public static implicit operator RegionId(string value) => new(value);

    private static bool IsValid(string? value, out string problem)
    {
        if (string.IsNullOrEmpty(value))
        {
            problem = "it is empty";
            return false;
        }

        if (value.Length > MaxLength)
        {
            problem = $"it is longer than {MaxLength} characters";
            return false;
        }

        if (!RegionIdPattern().IsMatch(value))
        {
            problem = "use lower-case letters, digits and '-', starting with a letter and not ending with '-'";
            return false;
        }

        problem = string.Empty;
        return true;
    }

    [GeneratedRegex("^[a-z](?:[a-z0-9-]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionIdPattern();
}
