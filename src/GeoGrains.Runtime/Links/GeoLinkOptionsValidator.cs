using GeoGrains.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Links;

/// <summary>Refuses link options that cannot work (<c>GeoGrains:Links</c>).</summary>
internal sealed class GeoLinkOptionsValidator(IOptions<GeoLinkOptions> options) : IConfigurationValidator
{
    public void ValidateConfiguration() => Validate(options.Value);

    /// <summary>Throws <see cref="InvalidTopologyException"/> naming the first setting that cannot work.</summary>
    internal static void Validate(GeoLinkOptions links)
    {
        if (links.CallTimeout <= TimeSpan.Zero || links.ConnectTimeout <= TimeSpan.Zero)
        {
            throw new InvalidTopologyException("GeoGrains:Links:CallTimeout and ConnectTimeout must be positive.");
        }
    }
}
