using GeoGrains.Runtime.Topology;

namespace GeoGrains.Configuration;

/// <summary>Options of a GeoGrains silo; bound from the <c>GeoGrains</c> configuration section or set in code.</summary>
public sealed class GeoGrainsOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "GeoGrains";

    /// <summary>The region this silo belongs to. Required; must be a region of <see cref="Topology"/>.</summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>The topology. When not set, the seed's default three regions (<see cref="GeoTopology.DefaultOptions"/>).</summary>
    public GeoTopologyOptions? Topology { get; set; }

    /// <summary>Options of the connections to other regions.</summary>
    public GeoLinkOptions Links { get; set; } = new();

    /// <summary>Where the region keeps its data. Default: the in-memory account.</summary>
    public RegionStorageOptions Storage { get; set; } = new();

    /// <summary>Options of the replication stream.</summary>
    public ReplicationOptions Replication { get; set; } = new();

    /// <summary>
    /// Ownership is tracked per home partition (home region × hash bucket) so that moving a region's grains is
    /// O(partitions). Default 64 partitions per region. Every region must use the same number.
    /// </summary>
    public int PartitionsPerRegion { get; set; } = 64;

    /// <summary>Options of the ownership directory: how much of its change log is kept, how many overrides are cached.</summary>
    public OwnershipDirectoryOptions Directory { get; set; } = new();

    /// <summary>
    /// Whether every committed version is also published on the change feed (<see cref="GeoChangeFeed"/>). Default
    /// <see langword="true"/>. Replication does not depend on it; turn it off to save its cost when nobody subscribes.
    /// </summary>
    public bool ChangeFeed { get; set; } = true;

    /// <summary>Options of reads at a consistency level: how long a session read waits for a replica to catch up.</summary>
    public ConsistencyOptions Consistency { get; set; } = new();

    /// <summary>How regions watch each other's health: probe interval and timeout, failures before a region is suspected.</summary>
    public RegionHealthOptions Health { get; set; } = new();

    /// <summary>How regions take over a failed region's grains: leases, queued writes, capacities.</summary>
    public FailoverOptions Failover { get; set; } = new();

    /// <summary>Keyed writes (idempotent retries): how long and how many a grain remembers.</summary>
    public IdempotencyOptions Idempotency { get; set; } = new();

    /// <summary>
    /// The key session tokens are signed with (base64, at least 16 bytes), the same in every region of the service, so
    /// that a token a client altered or made up is refused. When not set, a key derived from the service id: enough to
    /// catch garbled tokens, not forged ones; set a secret key in production.
    /// </summary>
    public string? SessionTokenKey { get; set; }

    /// <summary>Home functions for <see cref="HomeBy.Function"/>, by name: the grain key to its home region.</summary>
    public Dictionary<string, Func<string, RegionId>> HomeFunctions { get; } = new(StringComparer.Ordinal);
}
