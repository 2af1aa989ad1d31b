namespace GeoGrains.Client;

/// <summary>
/// The region-aware client's own face, beside the <c>IClusterClient</c> / <c>IGrainFactory</c> it gives the app: which
/// region it uses, how it sees every region, and the session its calls carry.
/// </summary>
public interface IGeoClient
{
    /// <summary>The region calls go to now; <see langword="null"/> while no region is healthy.</summary>
    RegionId? CurrentRegion { get; }

    /// <summary>Every configured region, in configuration order, as the client sees it now.</summary>
    IReadOnlyList<GeoRegionStatus> Regions { get; }

    /// <summary>
    /// The session every call carries (unless the app's own <see cref="GeoContext"/> scope has one), so that
    /// <see cref="Consistency.Session"/> reads see the client's own writes, whichever region serves them.
    /// </summary>
    GeoSession Session { get; }

    /// <summary>The session's token, to keep it across processes (a web app keeps it in a cookie).</summary>
    string ExportSession();

    /// <summary>Continues a session exported before: calls from now on carry it.</summary>
    /// <exception cref="InvalidSessionTokenException">The token is not one GeoGrains issued.</exception>
    void ImportSession(string token);
}
