using GeoGrains.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Failover;

/// <summary>Refuses health probe options that cannot work (<c>GeoGrains:Health</c>).</summary>
internal sealed class RegionHealthOptionsValidator(IOptions<RegionHealthOptions> options) : IConfigurationValidator
{
    public void ValidateConfiguration() => Validate(options.Value);

    /// <summary>Throws <see cref="InvalidTopologyException"/> naming the first setting that cannot work.</summary>
    internal static void Validate(RegionHealthOptions health)
    {
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
    }
}
