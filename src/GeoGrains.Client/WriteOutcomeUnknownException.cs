namespace GeoGrains;

/// <summary>
/// A write was delivered to a region that then stopped answering (it died, its connection broke, or the call's deadline
/// passed): the write may or may not have been applied. The client does not retry it on another region by itself,
/// because a retry could apply it twice; the caller decides (read the grain to see whether it took effect).
/// </summary>
public sealed class WriteOutcomeUnknownException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="call">The write, e.g. <c>IAccountGrain.Deposit</c>.</param>
    /// <param name="region">The region the write was sent to.</param>
    /// <param name="reason">Why its outcome is unknown.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public WriteOutcomeUnknownException(string call, RegionId region, string reason, Exception? innerException = null)
        : base($"The outcome of {call} is unknown: it was sent to region '{region}', which {reason}. It was not retried, so that it is not applied twice.", innerException)
    {
        Call = call;
        Region = region;
    }

    /// <summary>The write that failed.</summary>
    public string Call { get; }

    /// <summary>The region the write was sent to.</summary>
    public RegionId Region { get; }
}
