using GeoGrains.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Ownership;

/// <summary>Refuses ownership directory options that cannot work (<c>GeoGrains:Directory</c>).</summary>
internal sealed class OwnershipDirectoryOptionsValidator(IOptions<OwnershipDirectoryOptions> options) : IConfigurationValidator
{
    public void ValidateConfiguration() => Validate(options.Value);

    /// <summary>Throws <see cref="InvalidTopologyException"/> naming the first setting that cannot work.</summary>
    internal static void Validate(OwnershipDirectoryOptions directory)
    {
        if (directory.LogRetention < 1 || directory.MaxCachedOverrides < 1)
        {
            throw new InvalidTopologyException(
                $"GeoGrains:Directory:LogRetention ({directory.LogRetention}) and MaxCachedOverrides ({directory.MaxCachedOverrides}) must be at least 1.");
        }
    }
}
