using GeoGrains.Configuration;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Failover;

/// <summary>Refuses failover options that cannot work (<c>GeoGrains:Failover</c>), checked against the health probes and the topology.</summary>
internal sealed class FailoverOptionsValidator(IOptions<FailoverOptions> options, IOptions<RegionHealthOptions> health, GeoTopology topology) : IConfigurationValidator
{
    public void ValidateConfiguration() => Validate(options.Value, health.Value, topology);

    /// <summary>Throws <see cref="InvalidTopologyException"/> naming the first setting that cannot work.</summary>
    internal static void Validate(FailoverOptions failover, RegionHealthOptions health, GeoTopology topology)
    {
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
    }
}
