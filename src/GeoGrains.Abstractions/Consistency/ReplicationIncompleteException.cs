namespace GeoGrains;

/// <summary>
/// A <see cref="ReplicationMode.SemiSync"/> or <see cref="ReplicationMode.Sync"/> write was not applied by enough regions
/// in time. The write <em>is</em> committed in the owner region and is still being shipped: it will reach every region;
/// what was not met is the promise that it already had when the call returned.
/// </summary>
[GenerateSerializer]
public sealed class ReplicationIncompleteException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public ReplicationIncompleteException(string grain, long version, int required, IReadOnlyList<RegionId> applied, IReadOnlyList<RegionId> missing, TimeSpan waited)
        : base($"Write of geo grain '{grain}' (version {version}) is committed in its owner region but was applied by {applied.Count} of the {required} other regions required within {waited.TotalMilliseconds:0} ms" +
               $" (applied: {(applied.Count == 0 ? "none" : string.Join(", ", applied))}; not yet: {string.Join(", ", missing)}). It is still being replicated.")
    {
        Grain = grain;
        Version = version;
        Required = required;
        Applied = applied;
        Missing = missing;
    }

    /// <summary>The grain written.</summary>
    [Id(0)]
    public string Grain { get; }

    /// <summary>The version committed.</summary>
    [Id(1)]
    public long Version { get; }

    /// <summary>How many other regions had to apply it.</summary>
    [Id(2)]
    public int Required { get; }

    /// <summary>The regions that had applied it when the wait ended.</summary>
    [Id(3)]
    public IReadOnlyList<RegionId> Applied { get; }

    /// <summary>The regions that had not.</summary>
    [Id(4)]
    public IReadOnlyList<RegionId> Missing { get; }
}
