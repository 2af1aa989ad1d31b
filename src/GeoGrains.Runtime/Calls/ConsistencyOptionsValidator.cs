using GeoGrains.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Calls;

/// <summary>Refuses read options that cannot work (<c>GeoGrains:Consistency</c>) and a session token key that is not one (<c>GeoGrains:SessionTokenKey</c>).</summary>
internal sealed class ConsistencyOptionsValidator(IOptions<ConsistencyOptions> options, string? sessionTokenKey) : IConfigurationValidator
{
    public void ValidateConfiguration() => Validate(options.Value, sessionTokenKey);

    /// <summary>Throws <see cref="InvalidTopologyException"/> naming the first setting that cannot work.</summary>
    internal static void Validate(ConsistencyOptions consistency, string? sessionTokenKey)
    {
        if (consistency.SessionWait < TimeSpan.Zero)
        {
            throw new InvalidTopologyException($"GeoGrains:Consistency:SessionWait must not be negative (got {consistency.SessionWait}).");
        }


        if (sessionTokenKey is { Length: > 0 } key)
        {
            SessionTokenCodec.KeyOf(key);
        }
    }
}
