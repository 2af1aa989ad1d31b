using GeoGrains.Runtime.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// Tells every silo of this region which versions were just applied, so that each hands them to its warm activations
/// (<see cref="ReplicaActivations"/>), and the sender's safe time that came with them, which each silo takes into its
/// <see cref="ReplicaFreshness"/> after the versions. One in-region message per other silo per batch or heartbeat,
/// whatever the number of grains; grains with no activation are not activated.
/// </summary>
internal sealed class ReplicaNotifier(
    ReplicaActivations local,
    ReplicaFreshness freshness,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    IGrainFactory grains,
    ILogger<ReplicaNotifier> logger)
{
    public async Task NotifyAsync(List<(GrainId Grain, StoredGeoRecord Stored)> applied, SafeTimeReport? report = null)
    {
        local.Deliver(applied);
        if (report is not null)
        {
            freshness.Apply(report);
        }

        if (applied.Count == 0 && report is null)
        {
            return;
        }

        var others = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress))
            .ToList();
        if (others.Count == 0)
        {
            return;
        }

        var notice = applied.Select(a => new ReplicaNotice(a.Grain, a.Stored.Record, a.Stored.ETag)).ToArray();
        await Task.WhenAll(others.Select(async member =>
        {
            try
            {
                await grains.GetGrain<IReplicaNoticeGrain>(member.SiloAddress.ToParsableString()).Deliver(notice, report);
            }
            catch (Exception exception)
            {
                // A silo that misses a notice serves its activation's older version until the next one; the replica in
                // storage is current either way, and the next activation reads it. Its safe time waits for the next report.
                logger.LogDebug("Replica notice to silo {Silo} failed: {Reason}", member.SiloAddress, exception.Message);
            }
        }));
    }
}

/// <summary>A version the receiver applied, for the warm activation of its grain.</summary>
[GenerateSerializer, Immutable]
internal sealed record ReplicaNotice([property: Id(0)] GrainId Grain, [property: Id(1)] GeoRecord Record, [property: Id(2)] string ETag);

/// <summary>Hands notices to the warm activations of the silo it runs on; keyed by that silo's address.</summary>
internal interface IReplicaNoticeGrain : IGrainWithStringKey
{
    /// <summary>Delivers applied versions, then takes in the safe time reported with them (if any).</summary>
    Task Deliver(ReplicaNotice[] notices, SafeTimeReport? report);
}

[SiloKeyPlacement, Orleans.Concurrency.Reentrant]
internal sealed class ReplicaNoticeGrain(ReplicaActivations local, ReplicaFreshness freshness) : Grain, IReplicaNoticeGrain
{
    public Task Deliver(ReplicaNotice[] notices, SafeTimeReport? report)
    {
        local.Deliver(notices.Select(n => (n.Grain, new StoredGeoRecord(n.Record, n.ETag))));
        if (report is not null)
        {
            freshness.Apply(report);
        }

        return Task.CompletedTask;
    }
}
