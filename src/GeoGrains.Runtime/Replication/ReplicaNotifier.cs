using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// Tells every silo of this region which versions were just applied, so that each hands them to its warm activations
/// (<see cref="ReplicaActivations"/>). One in-region message per other silo per batch, whatever the number of grains;
/// grains with no activation are not activated.
/// </summary>
internal sealed class ReplicaNotifier(
    ReplicaActivations local,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    IGrainFactory grains,
    ILogger<ReplicaNotifier> logger)
{
    public async Task NotifyAsync(List<(GrainId Grain, StoredGeoRecord Stored)> applied)
    {
        local.Deliver(applied);
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
                await grains.GetGrain<IReplicaNoticeGrain>(member.SiloAddress.ToParsableString()).Deliver(notice);
            }
            catch (Exception exception)
            {
                // A silo that misses a notice serves its activation's older version until the next one; the replica in
                // storage is current either way, and the next activation reads it.
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
    Task Deliver(ReplicaNotice[] notices);
}

[SiloKeyPlacement, Orleans.Concurrency.Reentrant]
internal sealed class ReplicaNoticeGrain(ReplicaActivations local) : Grain, IReplicaNoticeGrain
{
    public Task Deliver(ReplicaNotice[] notices)
    {
        local.Deliver(notices.Select(n => (n.Grain, new StoredGeoRecord(n.Record, n.ETag))));
        return Task.CompletedTask;
    }
}
