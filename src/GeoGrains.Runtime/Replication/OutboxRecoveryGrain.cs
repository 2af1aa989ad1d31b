using GeoGrains.Runtime.Storage;
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
/// records of orphaned ones, never every record; markers whose silo is not gone (declared dead, or no longer a member)
/// are that silo's to ship, and so are those of a gone silo that a live silo adopted (<see cref="OutboxAdoptions"/>). A silo adopts a gone silo's markers
/// with one conditional write of the region's adoption record before it resumes any of them, so each orphaned marker
/// is resumed by one silo, however many recovery activations or rounds see it.
/// </summary>
internal sealed class OutboxRecoveryGrain(
    GeoStore store,
    GeoReplication replication,
    IClusterMembershipService membership,
    ILogger<OutboxRecoveryGrain> logger) : Grain, IOutboxRecoveryGrain
{
    public async Task<int> Recover()
    {
        // Gone: declared dead, or not a member at all (a restarted region's membership may not know its old silos). A silo
        // that is only joining or shutting down may still write markers, so it is not adopted (an adoption is for good).
        var live = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status != SiloStatus.Dead)
            .Select(m => m.SiloAddress.ToParsableString())
            .ToHashSet(StringComparer.Ordinal);
        var orphaned = new List<(GrainId Grain, OutboxMarker Marker, string ETag)>();
        await foreach (var pending in store.PendingAsync())
        {
            if (!live.Contains(pending.Marker.Silo))
            {
                orphaned.Add(pending);
            }
        }

        if (orphaned.Count == 0)
        {
            return 0;
        }

        var (adoptions, etag) = await store.ReadAdoptionsAsync();
        var (adopt, next) = adoptions.Plan(orphaned.Select(o => o.Marker.Silo).ToHashSet(StringComparer.Ordinal), live, replication.Silo);
        if (adopt.Count == 0 || !await store.TryWriteAdoptionsAsync(next, etag))
        {
            // Adopted by live silos, or by another recovery just now: theirs to ship.
            return 0;
        }

        var resumed = 0;
        foreach (var (grain, marker, markerETag) in orphaned.Where(o => adopt.Contains(o.Marker.Silo)))
        {
            if (await store.ReadAsync(grain) is { } latest)
            {
                replication.Resume(grain, latest.Record, markerETag, marker.Targets);
                resumed++;
            }
        }

        logger.LogInformation("Region {Region}: adopted the outbox of {Silos} silos that are gone and resumed {Count} changes they left.", store.Region, adopt.Count, resumed);
        return resumed;
    }
}
