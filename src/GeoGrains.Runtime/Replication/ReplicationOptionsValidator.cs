using GeoGrains.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Replication;

/// <summary>Refuses replication options that cannot work (<c>GeoGrains:Replication</c>).</summary>
internal sealed class ReplicationOptionsValidator(IOptions<ReplicationOptions> options) : IConfigurationValidator
{
    public void ValidateConfiguration() => Validate(options.Value);

    /// <summary>Throws <see cref="InvalidTopologyException"/> naming the first setting that cannot work.</summary>
    internal static void Validate(ReplicationOptions replication)
    {
        if (replication.OrphanAfter <= TimeSpan.Zero || replication.MarkerLinger < TimeSpan.Zero || replication.RetryBackoff <= TimeSpan.Zero
            || replication.BatchInterval < TimeSpan.Zero || replication.MaxBatchSize < 1 || replication.MaxBatchesInFlight < 1)
        {
            throw new InvalidTopologyException(
                "GeoGrains:Replication: OrphanAfter and RetryBackoff must be positive, MarkerLinger and BatchInterval not negative, " +
                $"MaxBatchSize and MaxBatchesInFlight at least 1 (got OrphanAfter {replication.OrphanAfter}, MarkerLinger {replication.MarkerLinger}, " +
                $"RetryBackoff {replication.RetryBackoff}, BatchInterval {replication.BatchInterval}, MaxBatchSize {replication.MaxBatchSize}, " +
                $"MaxBatchesInFlight {replication.MaxBatchesInFlight}).");
        }

        if (replication.AcknowledgementTimeout <= TimeSpan.Zero)
        {
            throw new InvalidTopologyException(
                $"GeoGrains:Replication:AcknowledgementTimeout must be positive (got {replication.AcknowledgementTimeout}): semi-sync and sync writes wait that long for the other regions.");
        }

        if (replication.HeartbeatInterval <= TimeSpan.Zero)
        {
            throw new InvalidTopologyException(
                $"GeoGrains:Replication:HeartbeatInterval must be positive (got {replication.HeartbeatInterval}): replicas prove their freshness by it.");
        }
    }
}
