using GeoGrains.Configuration;
using GeoGrains.Runtime.Topology;

namespace GeoGrains.Runtime.Links;

/// <summary>
/// The one way into other regions. Every cross-region call made through it is delayed, faulted and metered by the
/// <see cref="WanEmulator"/> and <see cref="LinkMeter"/> of the silo, and fails with
/// <see cref="RegionUnreachableException"/> instead of hanging.
/// </summary>
public interface IRegionLinks
{
    /// <summary>The region this silo belongs to.</summary>
    RegionId LocalRegion { get; }

    /// <summary>
    /// Runs <paramref name="call"/> against the grain factory of <paramref name="target"/>. Grain references obtained from
    /// the factory belong to that call; do not keep them. For the local region the call runs locally, without the links.
    /// </summary>
    /// <exception cref="UnknownRegionException"><paramref name="target"/> is not part of the topology.</exception>
    /// <exception cref="RegionUnreachableException">The region did not answer within <see cref="GeoLinkOptions.CallTimeout"/>.</exception>
    Task<TResult> InvokeAsync<TResult>(RegionId target, Func<IGrainFactory, Task<TResult>> call, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="InvokeAsync{TResult}"/>
    Task InvokeAsync(RegionId target, Func<IGrainFactory, Task> call, CancellationToken cancellationToken = default);
}
