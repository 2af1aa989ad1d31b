using GeoGrains.Runtime.Replication;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// Announces the conflicts this region resolved: in its log and on its <see cref="ConflictStream"/>. The record is
/// durable (written with its resolution) before it is announced, so publishing is not on the resolution's path: records
/// leave in batches (see <see cref="BatchedStreamPublisher{T}"/>), so that a healed partition resolving thousands of
/// grains costs a few stream messages, not one each.
/// </summary>
internal sealed class ConflictPublisher(LocalRegion region, IServiceProvider services, ILogger<ConflictPublisher> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly BatchedStreamPublisher<ConflictRecord> _stream =
        new(ConflictStream.ProviderName, ConflictStream.Namespace, region.Id, services, logger, "resolved conflicts");

    /// <summary>Announces a conflict just recorded: logged now, published on the region's stream shortly.</summary>
    public void Publish(ConflictRecord record)
    {
        var level = record.Outcome == ConflictOutcome.MergeFailed ? LogLevel.Warning : LogLevel.Information;
        logger.Log(level, "Region {Region} resolved a conflict of {Grain} ({Policy}): local {Local}, remote {Remote}: {Outcome} {Detail}",
            region.Id, record.Grain, record.Policy, record.Local, record.Remote, record.Outcome, record.Detail);
        _stream.Publish(record);
    }

    public void Participate(ISiloLifecycle lifecycle) => _stream.Participate(lifecycle, nameof(ConflictPublisher));
}
