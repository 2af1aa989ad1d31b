namespace GeoGrains.Configuration;

/// <summary>Options of reads at a consistency level (<c>GeoGrains:Consistency</c>).</summary>
public sealed class ConsistencyOptions
{
    /// <summary>
    /// How long a replica that is behind a session's token waits for the version it needs before it forwards the read to
    /// the owner. Default 50 ms: a replica that is about to catch up answers sooner than a round trip to the owner would
    /// (at least 100 ms between the default regions). Zero forwards at once.
    /// </summary>
    public TimeSpan SessionWait { get; set; } = TimeSpan.FromMilliseconds(50);
}
