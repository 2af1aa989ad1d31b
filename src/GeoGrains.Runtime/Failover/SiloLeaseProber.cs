using GeoGrains.Configuration;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// Asks every other region's health observer to confirm this silo's region's lease, once per probe interval and region
/// (<see cref="RegionHealthKeeper"/> calls it), and hands the answers to <see cref="FailoverState"/>: the silo's lease
/// then depends on no silo of its own region. Each request is bounded by the probe timeout and does not wait for the
/// others; a region whose last request is still out is not asked again until it is answered or has timed out.
/// </summary>
internal sealed class SiloLeaseProber
{
    private readonly FailoverState _failover;
    private readonly IRegionLinks _links;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RegionId _region;
    private readonly TimeSpan _timeout;
    private readonly IReadOnlyList<RegionId> _peers;
    private readonly HashSet<RegionId> _asking = [];

    public SiloLeaseProber(FailoverState failover, IRegionLinks links, GeoTopology topology, LocalRegion region, TimeProvider time, IOptions<RegionHealthOptions> options, ILogger<SiloLeaseProber> logger)
    {
        _failover = failover;
        _links = links;
        _time = time;
        _logger = logger;
        _region = region.Id;
        _timeout = options.Value.ProbeTimeout;
        _peers = [.. topology.RegionIds.Where(r => r != region.Id)];
    }

    /// <summary>Sends a request to every other region not being asked already; returns at once.</summary>
    public void ProbeAll()
    {
        if (!_failover.Automatic)
        {
            return;
        }

        foreach (var peer in _peers)
        {
            lock (_asking)
            {
                if (!_asking.Add(peer))
                {
                    continue;
                }
            }

            _ = ProbeAsync(peer);
        }
    }

    private async Task ProbeAsync(RegionId peer)
    {
        // Counted from before the request leaves, so never later than the granter's own count.
        var askedAt = _time.GetTimestamp();
        try
        {
            var request = new LeaseRequest(_region, _failover.Configuration.Generation);
            using var timeout = new CancellationTokenSource(_timeout);
            var reply = await _links.InvokeAsync(peer, grains => grains.GetGrain<IRegionHealthPeer>(0).ConfirmLease(request), timeout.Token)
                .WaitAsync(_timeout);
            _failover.LeaseAnswered(peer, askedAt, reply);
        }
        catch (Exception exception)
        {
            // A missing answer withdraws nothing: the last confirmation lapses on its own.
            _logger.LogDebug("Region {Region}: {Peer} did not confirm this silo's lease: {Reason}", _region, peer, exception.Message);
        }
        finally
        {
            lock (_asking)
            {
                _asking.Remove(peer);
            }
        }
    }
}
