using GeoGrains.Runtime.Storage;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.Replication;

/// <summary>
/// Publishes every version committed on this silo to the region's change feed, in commit order, in batches (see
/// <see cref="BatchedStreamPublisher{T}"/>), so the feed costs little on the write path. The changes are committed and
/// replicating; the feed is a notification of them and cannot undo them.
/// </summary>
internal sealed class ChangeFeedPublisher(LocalRegion region, bool enabled, IServiceProvider services, ILogger<ChangeFeedPublisher> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly BatchedStreamPublisher<GeoChange> _feed =
        new(GeoChangeFeed.ProviderName, GeoChangeFeed.Namespace, region.Id, services, logger, "committed changes");

    /// <summary>Publishes <paramref name="version"/> of <paramref name="grain"/>, committed here, unless the feed is off (<c>GeoGrains:ChangeFeed</c>).</summary>
    public void Publish(GrainId grain, GeoRecord version)
    {
        if (enabled)
        {
            _feed.Publish(new GeoChange(grain, version.Version, version.Epoch, version.CommittedAt, version.CommittedIn, System.Text.Encoding.UTF8.GetString(version.State)));
        }
    }

    public void Participate(ISiloLifecycle lifecycle) => _feed.Participate(lifecycle, nameof(ChangeFeedPublisher));
}
