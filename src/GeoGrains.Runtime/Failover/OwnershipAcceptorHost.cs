using System.Collections.Immutable;
using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// The health observer as this region's acceptor of <see cref="OwnershipAgreement"/>: what the proposers' calls and the
/// configurations learned from them or from probes do around <see cref="OwnershipAcceptor"/>. A promise carries this
/// region's freshness for every other region (the successors are chosen by it); an acceptance waits for the leases this
/// region confirmed (<see cref="RegionLeaseKeeper.WaitBeforeTakeover"/>); a configuration learned is recorded in the
/// timeline and may change this region's own lease. The only role that changes the acceptor; the others read it.
/// </summary>
internal sealed class OwnershipAcceptorHost(
    RegionId region,
    GeoTopology topology,
    ReplicaFreshness freshness,
    OwnershipAcceptor acceptor,
    RegionLeaseKeeper leases,
    RegionHealthTimeline timeline,
    ILogger logger)
{
    /// <summary>The newest configuration this region knows was chosen: what it routes by.</summary>
    public RegionConfiguration Learned => acceptor.Learned;

    /// <summary>The newest generation this region's acceptor has accepted or learned (<see cref="OwnershipAcceptor.FenceGeneration"/>).</summary>
    public long FenceGeneration => acceptor.FenceGeneration;

    /// <summary>Loads the acceptor's durable row: a new activation keeps every promise an earlier one made.</summary>
    public Task LoadAsync(CancellationToken cancellationToken) => acceptor.LoadAsync(cancellationToken);

    /// <summary>Phase 1, with this region's safe time of every other region's data.</summary>
    public async Task<PrepareReply> PrepareAsync(Ballot ballot)
    {
        var reply = await acceptor.PrepareAsync(ballot);
        var safeTimes = ImmutableDictionary.CreateBuilder<RegionId, HybridTimestamp>();
        foreach (var source in topology.RegionIds.Where(r => r != region))
        {
            if (freshness.SafeTime(source) is { } safeTime)
            {
                safeTimes[source] = safeTime;
            }
        }

        return reply with { SafeTimes = safeTimes.ToImmutable() };
    }

    /// <summary>Phase 2: refused while this region may still have confirmed the lease of a region the value takes over.</summary>
    public Task<AcceptReply> AcceptAsync(Ballot ballot, RegionConfiguration value) =>
        acceptor.AcceptAsync(ballot, value, leases.WaitBeforeTakeover);

    /// <summary>Takes a chosen configuration if it is newer than the learned one, and records the tenures it changed.</summary>
    public async Task LearnAsync(RegionConfiguration chosen)
    {
        var before = acceptor.Learned;
        if (!await acceptor.LearnAsync(chosen))
        {
            return;
        }

        logger.LogInformation("Region {Region}: learned configuration {Configuration}.", region, chosen);
        foreach (var tenure in chosen.Tenures.Values.Where(t => !before.Tenures.TryGetValue(t.Region, out var old) || old.Epoch != t.Epoch))
        {
            timeline.Record(tenure.Region, tenure.State == TenureState.Away ? RegionHealthChange.OwnershipTransferred : RegionHealthChange.FailedBack, tenure.ToString());
        }

        leases.Check();
    }
}
