using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// How the changes of a <see cref="ChangeShipper"/> go on the wire to its target region: each as a delta where that is
/// smaller, but whole for a grain the target could not join a delta of, until it acknowledges one of its versions. The
/// changes of a delta the target could not join go back into the <see cref="ShipmentQueue"/>, to ship whole; without
/// <c>deltas</c> every change ships whole.
/// </summary>
internal sealed class DeltaChoice(
    RegionId source,
    RegionId target,
    Func<ReplicatedChange, RegionId, ReplicatedChange>? deltas,
    ShipmentQueue queue,
    ReplicationMetrics metrics,
    ILogger logger)
{
    // Grains the target could not join a delta of: they ship whole until the target acknowledges one of their versions.
    private readonly HashSet<GrainId> _wholeState = [];
    private readonly object _lock = new();

    // What the batch carries: the changes, each as a delta where that is smaller (the shipper keeps the whole versions:
    // acknowledgements, retries and the next delta are about them).
    public IReadOnlyList<ReplicatedChange> OnTheWire(List<ReplicatedChange> changes)
    {
        if (deltas is null)
        {
            return changes;
        }

        bool[] whole;
        lock (_lock)
        {
            whole = [.. changes.Select(c => _wholeState.Contains(c.Grain))];
        }

        return [.. changes.Select((c, i) => whole[i] ? c : deltas(c, target))];
    }

    // The target could not join these grains' deltas: they are not applied there, and go again whole. Returns the
    // changes that were applied.
    public List<ReplicatedChange> ShipWhole(List<ReplicatedChange> changes, GrainId[] whole)
    {
        var refused = whole.ToHashSet();
        lock (_lock)
        {
            _wholeState.UnionWith(refused);
        }

        metrics.DeltasRefused(source, target, refused.Count);
        logger.LogDebug("Region {Target} could not join the deltas of {Count} grains from {Source}; shipping them whole", target, refused.Count, source);
        queue.Retry(changes.Where(c => refused.Contains(c.Grain)));
        return [.. changes.Where(c => !refused.Contains(c.Grain))];
    }

    /// <summary>The target applied these changes: their grains' next versions may ship as deltas again.</summary>
    public void Acknowledged(IEnumerable<ReplicatedChange> changes)
    {
        lock (_lock)
        {
            foreach (var change in changes)
            {
                _wholeState.Remove(change.Grain);
            }
        }
    }
}
