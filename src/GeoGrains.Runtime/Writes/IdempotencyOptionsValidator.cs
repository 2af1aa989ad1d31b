using GeoGrains.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Writes;

/// <summary>Refuses idempotency options that cannot work (<c>GeoGrains:Idempotency</c>).</summary>
internal sealed class IdempotencyOptionsValidator(IOptions<IdempotencyOptions> options) : IConfigurationValidator
{
    public void ValidateConfiguration() => Validate(options.Value);

    /// <summary>Throws <see cref="InvalidTopologyException"/> naming the first setting that cannot work.</summary>
    internal static void Validate(IdempotencyOptions idempotency)
    {
        if (idempotency.Window <= TimeSpan.Zero || idempotency.MaxEntriesPerGrain < 1)
        {
            throw new InvalidTopologyException(
                $"GeoGrains:Idempotency:Window must be positive and MaxEntriesPerGrain at least 1 (got {idempotency.Window} and {idempotency.MaxEntriesPerGrain}): a retry within the window gets the first result.");
        }
    }
}
