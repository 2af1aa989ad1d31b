using System.Globalization;

namespace GeoGrains;

/// <summary>
/// When a write is acknowledged, for one call or a scope of calls (<see cref="GeoContext.Write"/>); a grain type's
/// default is set with <see cref="GeoGrainAttribute.Replication"/>.
/// </summary>
public sealed class Durability : IEquatable<Durability>
{
    private Durability(ReplicationMode mode, int regions, TimeSpan? timeout)
    {
        Mode = mode;
        Regions = regions;
        Timeout = timeout;
    }

    /// <summary>Acknowledged once durable in the owner region; the others receive it in the background.</summary>
    public static Durability Async { get; } = new(ReplicationMode.Async, 0, null);

    /// <summary>Acknowledged once every other region has applied it.</summary>
    public static Durability Sync { get; } = new(ReplicationMode.Sync, 0, null);

    /// <summary>The mode.</summary>
    public ReplicationMode Mode { get; }

    /// <summary>With <see cref="ReplicationMode.SemiSync"/>: how many other regions must have applied the write.</summary>
    public int Regions { get; }

    /// <summary>How long the write waits for the acknowledgements; <see langword="null"/>: the silo's default (<c>ReplicationOptions.AcknowledgementTimeout</c>).</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>Acknowledged once durable in the owner region and applied by <paramref name="regions"/> other regions (the first to apply it: the nearest).</summary>
    /// <exception cref="InvalidConsistencyException"><paramref name="regions"/> is less than 1.</exception>
    public static Durability SemiSync(int regions = 1) =>
        regions >= 1
            ? new(ReplicationMode.SemiSync, regions, null)
            : throw new InvalidConsistencyException($"SemiSync needs at least 1 other region to apply a write; {regions} is not.");

    /// <summary>The same mode, waiting at most <paramref name="timeout"/> for the acknowledgements.</summary>
    /// <exception cref="InvalidConsistencyException"><paramref name="timeout"/> is zero or negative.</exception>
    public Durability WithTimeout(TimeSpan timeout) =>
        timeout > TimeSpan.Zero
            ? new(Mode, Regions, timeout)
            : throw new InvalidConsistencyException($"A replication timeout must be positive; {timeout} is not.");

    /// <summary>The mode a grain type declares in its <see cref="GeoGrainAttribute"/>.</summary>
    /// <exception cref="InvalidConsistencyException">The mode is not defined, or a semi-sync write has fewer than 1 region.</exception>
    public static Durability Of(ReplicationMode mode, int semiSyncRegions = 1) => mode switch
    {
        ReplicationMode.Async => Async,
        ReplicationMode.Sync => Sync,
        ReplicationMode.SemiSync => SemiSync(semiSyncRegions),
        _ => throw new InvalidConsistencyException($"'{(int)mode}' is not a replication mode; use Async, SemiSync or Sync."),
    };

    /// <summary>The form a call carries it in: "async", "sync" or "semisync:&lt;regions&gt;", each optionally followed by "/&lt;timeout ms&gt;".</summary>
    public override string ToString()
    {
        var mode = Mode == ReplicationMode.SemiSync ? string.Create(CultureInfo.InvariantCulture, $"semisync:{Regions}") : Mode.ToString().ToLowerInvariant();
        return Timeout is { } timeout ? string.Create(CultureInfo.InvariantCulture, $"{mode}/{timeout.TotalMilliseconds:0}") : mode;
    }

    /// <summary>Reads the form <see cref="ToString"/> writes.</summary>
    /// <exception cref="InvalidConsistencyException">It is no replication mode.</exception>
    public static Durability Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var mode = slash < 0 ? value : value[..slash];
        Durability parsed;
        if (mode == "async")
        {
            parsed = Async;
        }
        else if (mode == "sync")
        {
            parsed = Sync;
        }
        else if (mode.StartsWith("semisync:", StringComparison.Ordinal) && int.TryParse(mode.AsSpan("semisync:".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var regions))
        {
            parsed = SemiSync(regions);
        }
        else
        {
            throw new InvalidConsistencyException($"'{value}' is not a replication mode; use async, sync or semisync:<regions>, optionally followed by /<timeout ms>.");
        }

        if (slash < 0)
        {
            return parsed;
        }

        return int.TryParse(value.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? parsed.WithTimeout(TimeSpan.FromMilliseconds(milliseconds))
            : throw new InvalidConsistencyException($"'{value}': the replication timeout after '/' must be a whole number of milliseconds.");
    }

    /// <inheritdoc />
    public bool Equals(Durability? other) => other is not null && Mode == other.Mode && Regions == other.Regions && Timeout == other.Timeout;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Durability);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Mode, Regions, Timeout);
}
