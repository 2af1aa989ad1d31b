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

    /// <summary>How committed changes reach the other regions. Default <see cref="ReplicationMode.Async"/>.</summary>
    public ReplicationMode Replication { get; set; } = ReplicationMode.Async;
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

/// <summary>How a committed change reaches the other regions.</summary>
public enum ReplicationMode
{
    /// <summary>The write is acknowledged once it is durable in the home region; replicas receive it in the background.</summary>
    Async,
}
