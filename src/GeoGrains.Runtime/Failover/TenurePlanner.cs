using GeoGrains.Configuration;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// The next configuration each of <see cref="OwnershipProposer"/>'s changes proposes, from the current value and the
/// promises: a failed region taken over (<see cref="Away"/>), a region drained or restored by a planned switchover, with
/// the successors <see cref="SuccessorChoice"/> picks from the promises' safe times; and, before any of them, every
/// undecided takeover of a region that is not held down turned into a planned return (<see cref="Settled"/>).
/// </summary>
internal sealed class TenurePlanner(
    RegionId region,
    GeoTopology topology,
    int partitionsPerRegion,
    FailoverOptions failover,
    OwnershipAcceptor acceptor,
    RegionHealthProber prober,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>
    /// The current value, with every takeover this region never learned was decided, of a region it does not hold down,
    /// turned into a planned return. Such a value was accepted somewhere but may never have been chosen (a proposal made
    /// when regions suspected each other at start-up, say); carried forward as it is, every later change would contain it
    /// and be refused for that region's lease, and nothing could be decided any more. A planned return is a legal next
    /// state whether or not the takeover was chosen, and loses nothing: its new owner waits and gathers as for any return.
    /// </summary>
    public RegionConfiguration Settled(RegionConfiguration current)
    {
        var learned = acceptor.Learned;
        var view = prober.View();
        foreach (var tenure in current.Tenures.Values.Where(t => t.State == TenureState.Away && !t.Planned).ToList())
        {
            var known = learned.Tenures.TryGetValue(tenure.Region, out var mine) && mine.Epoch == tenure.Epoch;
            if (!known && !view.HoldsDown(tenure.Region))
            {
                logger.LogWarning("Region {Region}: the undecided takeover of {Other} ({Tenure}) is undone: {Other} is not held down.", region, tenure.Region, tenure, tenure.Region);
                current = current.With(tenure.Region, TenureState.Owning, [], time.GetUtcNow(), planned: true);
            }
        }

        return current;
    }

    /// <summary><paramref name="current"/> with <paramref name="failed"/> taken over after a failure (settled first); null when nothing is to change.</summary>
    public RegionConfiguration? Away(RegionConfiguration current, IReadOnlyList<PrepareReply> promises, RegionId failed)
    {
        var settled = Settled(current);
        if (settled.IsAway(failed))
        {
            return ReferenceEquals(settled, current) ? null : settled;
        }

        current = settled;

        var candidates = promises
            .Where(p => p.Acceptor != failed)
            .ToDictionary(p => p.Acceptor, p => p.SafeTimes.TryGetValue(failed, out var safeTime) ? safeTime : (HybridTimestamp?)null);
        var successors = SuccessorChoice.Choose(failed, current, candidates, topology.RegionIds, partitionsPerRegion, failover.CapacityOf);
        return current.With(failed, TenureState.Away, successors, time.GetUtcNow());
    }

    /// <summary><paramref name="current"/> with <paramref name="drained"/>'s grains moved to successors by a planned switchover; null when it is away already.</summary>
    public RegionConfiguration? Drain(RegionConfiguration current, IReadOnlyList<PrepareReply> promises, RegionId drained)
    {
        if (current.IsAway(drained))
        {
            return null;
        }

        var candidates = promises
            .Where(p => p.Acceptor != drained)
            .ToDictionary(p => p.Acceptor, p => p.SafeTimes.TryGetValue(drained, out var safeTime) ? safeTime : (HybridTimestamp?)null);
        var successors = SuccessorChoice.Choose(drained, current, candidates, topology.RegionIds, partitionsPerRegion, failover.CapacityOf);
        return current.With(drained, TenureState.Away, successors, time.GetUtcNow(), planned: true);
    }

    /// <summary><paramref name="current"/> with <paramref name="restored"/> owning its grains again, by a planned switchover; null when it owns them.</summary>
    public RegionConfiguration? Restore(RegionConfiguration current, RegionId restored) =>
        current.IsAway(restored) ? current.With(restored, TenureState.Owning, [], time.GetUtcNow(), planned: true) : null;
}
