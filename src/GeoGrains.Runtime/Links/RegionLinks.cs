using GeoGrains.Configuration;
using System.Collections.Frozen;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Links;

/// <summary>The silo's connections to every other region: one <see cref="RemoteRegionClient"/> per remote region.</summary>
internal sealed class RegionLinks : IRegionLinks, ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    private readonly GeoTopology _topology;
    private readonly IGrainFactory _localFactory;
    private readonly FrozenDictionary<RegionId, RemoteRegionClient> _remotes;
    private readonly CancellationTokenSource _stopping = new();

    public RegionLinks(
        GeoTopology topology,
        LocalRegion localRegion,
        IGrainFactory localFactory,
        WanEmulator emulator,
        LinkMeter meter,
        IOptions<GeoLinkOptions> options,
        IOptions<ClusterOptions> clusterOptions,
        ILoggerFactory loggerFactory)
    {
        _topology = topology;
        _localFactory = localFactory;
        LocalRegion = localRegion.Id;
        _remotes = topology.Regions
            .Where(r => r.Id != LocalRegion)
            .ToFrozenDictionary(
                r => r.Id,
                r => new RemoteRegionClient(LocalRegion, r, clusterOptions.Value.ServiceId, emulator, meter, options.Value, loggerFactory));
    }

    public RegionId LocalRegion { get; }

    public async Task<TResult> InvokeAsync<TResult>(RegionId target, Func<IGrainFactory, Task<TResult>> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (target == LocalRegion)
        {
            return await call(_localFactory);
        }

        if (!_remotes.TryGetValue(target, out var remote))
        {
            throw new UnknownRegionException(target, _topology.RegionIds);
        }

        return await remote.InvokeAsync(call, cancellationToken);
    }

    public Task InvokeAsync(RegionId target, Func<IGrainFactory, Task> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return InvokeAsync(target, async factory =>
        {
            await call(factory);
            return true;
        }, cancellationToken);
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(RegionLinks), ServiceLifecycleStage.RuntimeServices, _ => Task.CompletedTask, _ => DisposeAsync().AsTask());
        lifecycle.Subscribe(nameof(RegionLinks), ServiceLifecycleStage.Active, started =>
        {
            // Other regions may still be starting: connect in the background, and let calls connect on demand otherwise.
            foreach (var remote in _remotes.Values)
            {
                _ = Task.Run(() => remote.WarmUpAsync(_stopping.Token));
            }

            return Task.CompletedTask;
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var remote in _remotes.Values)
        {
            await remote.DisposeAsync();
        }
    }
}
