using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.Replication;

/// <summary>What a commit hands its version to: the regions it ships to, the outbox marker announcing it, the queues.</summary>
internal interface IChangeShipping
{
    /// <summary>The regions every commit ships to.</summary>
    IReadOnlyList<RegionId> Targets { get; }

    /// <summary>The outbox marker that announces <paramref name="version"/> as still to ship to every target, written with it.</summary>
    OutboxMarker MarkerFor(GeoRecord version);

    /// <summary>Queues <paramref name="version"/> of <paramref name="grain"/> for every target; <paramref name="urgent"/> sends it without waiting for a batch.</summary>
    void Ship(GrainId grain, GeoRecord version, bool urgent = false);
}
