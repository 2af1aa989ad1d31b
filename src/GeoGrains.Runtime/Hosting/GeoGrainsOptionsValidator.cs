using GeoGrains.Configuration;
using GeoGrains.Runtime.Calls;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Hosting;

/// <summary>Refuses to start a silo whose GeoGrains configuration cannot work, naming the problem.</summary>
internal sealed class GeoGrainsOptionsValidator(IOptions<GeoGrainsOptions> options, IOptions<ClusterOptions> clusterOptions) : IConfigurationValidator
{
    public void ValidateConfiguration() => Resolve(options.Value, clusterOptions.Value);

    /// <summary>Builds the topology and the local region, or throws <see cref="InvalidTopologyException"/>.</summary>
    internal static (GeoTopology Topology, RegionId Region) Resolve(GeoGrainsOptions options, ClusterOptions cluster)
    {
        var topology = GeoTopology.FromOptions(options.Topology ?? GeoTopology.DefaultOptions());
        if (string.IsNullOrWhiteSpace(options.Region))
        {
            throw new InvalidTopologyException($"this silo's region is not set (GeoGrains:Region); choose one of {string.Join(", ", topology.RegionIds)}.");
        }

        if (!RegionId.TryParse(options.Region, out var region) || !topology.Contains(region))
        {
            throw new InvalidTopologyException($"this silo's region '{options.Region}' is not in the topology ({string.Join(", ", topology.RegionIds)}).");
        }

        var descriptor = topology[region];
        if (!string.Equals(cluster.ClusterId, descriptor.ClusterId, StringComparison.Ordinal))
        {
            throw new InvalidTopologyException(
                $"this silo's ClusterId '{cluster.ClusterId}' differs from region '{region}''s cluster id '{descriptor.ClusterId}'; every region is its own Orleans cluster.");
        }

        foreach (var other in topology.Regions.Where(r => r.Id != region && r.Gateways.Count == 0))
        {
            throw new InvalidTopologyException($"region '{other.Id}' has no gateways, so region '{region}' cannot reach it.");
        }

        if (options.Links.CallTimeout <= TimeSpan.Zero || options.Links.ConnectTimeout <= TimeSpan.Zero)
        {
            throw new InvalidTopologyException("GeoGrains:Links:CallTimeout and ConnectTimeout must be positive.");
        }

        if (options.Directory.LogRetention < 1 || options.Directory.MaxCachedOverrides < 1)
        {
            throw new InvalidTopologyException(
                $"GeoGrains:Directory:LogRetention ({options.Directory.LogRetention}) and MaxCachedOverrides ({options.Directory.MaxCachedOverrides}) must be at least 1.");
        }

        var replication = options.Replication;
        if (replication.OrphanAfter <= TimeSpan.Zero || replication.MarkerLinger < TimeSpan.Zero || replication.RetryBackoff <= TimeSpan.Zero
            || replication.BatchInterval < TimeSpan.Zero || replication.MaxBatchSize < 1 || replication.MaxBatchesInFlight < 1)
        {
            throw new InvalidTopologyException(
                "GeoGrains:Replication: OrphanAfter and RetryBackoff must be positive, MarkerLinger and BatchInterval not negative, " +
                $"MaxBatchSize and MaxBatchesInFlight at least 1 (got OrphanAfter {replication.OrphanAfter}, MarkerLinger {replication.MarkerLinger}, " +
                $"RetryBackoff {replication.RetryBackoff}, BatchInterval {replication.BatchInterval}, MaxBatchSize {replication.MaxBatchSize}, " +
                $"MaxBatchesInFlight {replication.MaxBatchesInFlight}).");
        }

        if (options.Consistency.SessionWait < TimeSpan.Zero)
        {
            throw new InvalidTopologyException($"GeoGrains:Consistency:SessionWait must not be negative (got {options.Consistency.SessionWait}).");
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

        if (options.Idempotency.Window <= TimeSpan.Zero || options.Idempotency.MaxEntriesPerGrain < 1)
        {
            throw new InvalidTopologyException(
                $"GeoGrains:Idempotency:Window must be positive and MaxEntriesPerGrain at least 1 (got {options.Idempotency.Window} and {options.Idempotency.MaxEntriesPerGrain}): a retry within the window gets the first result.");
        }

        var health = options.Health;
        if (health.ProbeInterval <= TimeSpan.Zero)
        {
            throw new InvalidTopologyException($"GeoGrains:Health:ProbeInterval must be positive (got {health.ProbeInterval}): every region probes the others that often.");
        }

        if (health.ProbeTimeout <= TimeSpan.Zero)
        {
            throw new InvalidTopologyException($"GeoGrains:Health:ProbeTimeout must be positive (got {health.ProbeTimeout}): a probe not answered within it counts as failed.");
        }

        if (health.FailuresToSuspect < 1)
        {
            throw new InvalidTopologyException($"GeoGrains:Health:FailuresToSuspect must be at least 1 (got {health.FailuresToSuspect}): that many failed probes in a row make a region suspected.");
        }

        if (health.StartupGrace < TimeSpan.Zero)
        {
            throw new InvalidTopologyException($"GeoGrains:Health:StartupGrace must not be negative (got {health.StartupGrace}): it is how long a starting observer waits before it suspects a region it has not reached.");
        }

        var failover = options.Failover;
        if (failover.LeasePeriod <= TimeSpan.Zero)
        {
            throw new InvalidTopologyException($"GeoGrains:Failover:LeasePeriod must be positive (got {failover.LeasePeriod}): a region writes only while a majority confirmed its lease within it.");
        }

        if (failover.MaxClockOffset < TimeSpan.Zero || failover.MaxClockOffset >= failover.LeasePeriod)
        {
            throw new InvalidTopologyException(
                $"GeoGrains:Failover:MaxClockOffset must be at least zero and less than the lease period {failover.LeasePeriod} (got {failover.MaxClockOffset}).");
        }

        if (failover.IsAutomatic(topology.RegionIds.Count()) && failover.LeasePeriod <= health.ProbeInterval)
        {
            throw new InvalidTopologyException(
                $"GeoGrains:Failover:LeasePeriod ({failover.LeasePeriod}) must be longer than GeoGrains:Health:ProbeInterval ({health.ProbeInterval}): probes renew the lease.");
        }

        if (failover.QueuedWriteTimeout < TimeSpan.Zero)
        {
            throw new InvalidTopologyException($"GeoGrains:Failover:QueuedWriteTimeout must not be negative (got {failover.QueuedWriteTimeout}).");
        }

        if (failover.MaxQueuedWrites < 0)
        {
            throw new InvalidTopologyException($"GeoGrains:Failover:MaxQueuedWrites must not be negative (got {failover.MaxQueuedWrites}).");
        }

        foreach (var (name, capacity) in failover.Capacity)
        {
            if (!RegionId.TryParse(name, out var capacityRegion) || !topology.Contains(capacityRegion))
            {
                throw new InvalidTopologyException($"GeoGrains:Failover:Capacity names region '{name}', which is not in the topology ({string.Join(", ", topology.RegionIds)}).");
            }

            if (!(capacity > 0) || double.IsInfinity(capacity))
            {
                throw new InvalidTopologyException($"GeoGrains:Failover:Capacity of '{name}' must be a positive number of normal loads (got {capacity}).");
            }
        }

        if (options.SessionTokenKey is { Length: > 0 } key)
        {
            SessionTokenCodec.KeyOf(key);
        }

        return (topology, region);
    }
}
