using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Replication;

/// <summary>Resumes outbox markers left by silos that are gone. One per region cluster: use key 0.</summary>
internal interface IOutboxRecoveryGrain : IGrainWithIntegerKey
{
    /// <summary>Ships what silos that are gone left in the outbox; returns how many grains it resumed.</summary>
    Task<int> Recover();
}

/// <summary>
/// Usually one activation per region. It reads only the outbox markers (one range query per record partition) and the
/// records they name, never every record; markers whose silo is still active are that silo's to ship. An orphaned marker
/// is taken over durably (rewritten, conditional on its ETag, as this silo's) before its grain is resumed: it then names
/// an active silo, so a later round, or a second activation while the cluster's membership settles after a restart, does
/// not resume it again, and of two silos that try, one ships it.
/// </summary>
internal sealed class OutboxRecoveryGrain(
    GeoStore store,
    GeoReplication replication,
    IClusterMembershipService membership,
    ILogger<OutboxRecoveryGrain> logger) : Grain, IOutboxRecoveryGrain
{
    public async Task<int> Recover()
    {
        var active = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress.ToParsableString())
            .ToHashSet(StringComparer.Ordinal);
        var resumed = 0;
        await foreach (var (grain, marker, etag) in store.PendingAsync())
        {
            if (active.Contains(marker.Silo) || await store.ReadAsync(grain) is not { } latest)
            {
                continue;
            }

            if (await store.TryTakeOverMarkerAsync(grain, marker, etag, replication.Silo) is { } taken)
            {
                replication.Resume(grain, latest.Record, taken, marker.Targets);
                resumed++;
            }
        }

        if (resumed > 0)
        {
            logger.LogInformation("Region {Region}: resumed {Count} changes that silos which are gone left in the outbox.", store.Region, resumed);
        }

        return resumed;
    }
}
