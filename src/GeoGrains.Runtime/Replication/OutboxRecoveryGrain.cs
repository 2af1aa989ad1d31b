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
/// One activation per region, so every orphaned change is resumed by one silo, not by all. It reads only the outbox
/// markers (one range query per record partition) and the records they name, never every record; markers whose silo is
/// still active are that silo's to ship.
/// </summary>
internal sealed class OutboxRecoveryGrain(
    GeoStore store,
    GeoReplication replication,
    IClusterMembershipService membership,
    ILogger<OutboxRecoveryGrain> logger) : Grain, IOutboxRecoveryGrain
{
    // Markers this activation resumed, by ETag: a marker still there on the next round is being shipped, not orphaned again.
    private Dictionary<GrainId, string> _resumed = [];

    public async Task<int> Recover()
    {
        var active = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress.ToParsableString())
            .ToHashSet(StringComparer.Ordinal);
        var seen = new Dictionary<GrainId, string>();
        var resumed = 0;
        await foreach (var (grain, marker, etag) in store.PendingAsync())
        {
            if (active.Contains(marker.Silo))
            {
                continue;
            }

            seen[grain] = etag;
            if (_resumed.TryGetValue(grain, out var resumedETag) && resumedETag == etag)
            {
                continue;
            }

            if (await store.ReadAsync(grain) is { } latest)
            {
                replication.Resume(grain, latest.Record, etag, marker.Targets);
                resumed++;
            }
        }

        _resumed = seen;
        if (resumed > 0)
        {
            logger.LogInformation("Region {Region}: resumed {Count} changes that silos which are gone left in the outbox.", store.Region, resumed);
        }

        return resumed;
    }
}
