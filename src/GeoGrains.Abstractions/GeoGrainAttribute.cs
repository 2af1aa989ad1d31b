namespace GeoGrains;

/// <summary>
/// Registers a grain class derived from <c>GeoGrain&lt;TState&gt;</c> as a geo-distributed grain and declares how its
/// home region is chosen and how its changes are replicated. A <c>GeoGrain&lt;TState&gt;</c> without it refuses to activate.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GeoGrainAttribute : Attribute
{
    /// <summary>How the home region of a grain is chosen from its key. Default <see cref="HomeBy.KeyPrefix"/>.</summary>
    public HomeBy Home { get; set; } = HomeBy.KeyPrefix;

    /// <summary>With <see cref="HomeBy.Function"/>: the name of the function registered in <c>GeoGrainsOptions.HomeFunctions</c>.</summary>
    public string? HomeFunction { get; set; }

    /// <summary>
    /// When a write is acknowledged: once durable in the owner region (<see cref="ReplicationMode.Async"/>, the default),
    /// once also applied by <see cref="SemiSyncRegions"/> other regions, or by all of them. A call can choose otherwise
    /// with <see cref="GeoContext.Write"/>.
    /// </summary>
    public ReplicationMode Replication { get; set; } = ReplicationMode.Async;

    /// <summary>With <see cref="ReplicationMode.SemiSync"/>: how many other regions must apply a write before it is acknowledged. Default 1.</summary>
    public int SemiSyncRegions { get; set; } = 1;

    /// <summary>
    /// How fresh the answers of <c>[ReadOnly]</c> methods must be. Default <see cref="ReadConsistency.Eventual"/> (the
    /// local replica). A call can choose otherwise with <see cref="GeoContext.Read"/>.
    /// </summary>
    public ReadConsistency Reads { get; set; } = ReadConsistency.Eventual;

    /// <summary>With <see cref="ReadConsistency.BoundedStaleness"/>: the bound, in milliseconds.</summary>
    public int MaxStalenessMilliseconds { get; set; }

    /// <summary>
    /// Which regions take the grain's writes: the owner region (<see cref="GeoWriters.OwnerRegion"/>, the default), or
    /// every region locally (<see cref="GeoWriters.AnyRegion"/>, active-active; concurrent writes are resolved by
    /// <see cref="Conflicts"/>). An active-active grain serves reads only at <see cref="ReadConsistency.Eventual"/>.
    /// </summary>
    public GeoWriters Writers { get; set; } = GeoWriters.OwnerRegion;

    /// <summary>With <see cref="GeoWriters.AnyRegion"/>: how concurrent versions are resolved. Default <see cref="ConflictPolicy.LastWriterWins"/>.</summary>
    public ConflictPolicy Conflicts { get; set; } = ConflictPolicy.LastWriterWins;
}

/// <summary>How the home region of a geo grain is chosen.</summary>
public enum HomeBy
{
    /// <summary>The key starts with the region: <c>"eu-west/alice"</c> is homed in <c>eu-west</c>.</summary>
    KeyPrefix,

    /// <summary>A stable hash of the key picks one of the topology's regions; the same key always lands in the same region.</summary>
    Hash,

    /// <summary>A function of the key registered by name in <c>GeoGrainsOptions.HomeFunctions</c> (e.g. country → region).</summary>
    Function,
}

/// <summary>When a write to a geo grain is acknowledged.</summary>
public enum ReplicationMode
{
    /// <summary>Once it is durable in the owner region; the other regions receive it in the background.</summary>
    Async,

    /// <summary>Once it is durable in the owner region and applied by a given number of other regions (the first to apply it: the nearest).</summary>
    SemiSync,

    /// <summary>Once every other region has applied it (every region that is a member: not one the others took over after it failed).</summary>
    Sync,
}
