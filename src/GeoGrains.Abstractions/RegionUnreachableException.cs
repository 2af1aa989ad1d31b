namespace GeoGrains;

/// <summary>
/// A call from one region to another got no answer: the link is partitioned, the message was lost,
/// the target region is down, or the reply did not arrive within the link's call timeout.
/// </summary>
/// <remarks>
/// The outcome of the call is unknown: the target may or may not have executed it. Callers that retry
/// must be prepared for the first attempt to have taken effect.
/// </remarks>
[GenerateSerializer]
public sealed class RegionUnreachableException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public RegionUnreachableException(RegionId from, RegionId to, string reason, Exception? innerException = null)
        : base($"Region '{to}' is unreachable from region '{from}': {reason}", innerException)
    {
        From = from;
        To = to;
    }

    /// <summary>The region the call was made from.</summary>
    [Id(0)]
    public RegionId From { get; }

    /// <summary>The region that could not be reached.</summary>
    [Id(1)]
    public RegionId To { get; }
}
