using GeoGrains.Configuration;
using System.Collections.Frozen;
using System.Net;

namespace GeoGrains.Runtime.Topology;

/// <summary>
/// The validated set of regions and the round-trip times between them. Immutable; every pair of distinct
/// regions has exactly one round-trip time, the same in both directions.
/// </summary>
public sealed class GeoTopology
{
    private readonly FrozenDictionary<RegionId, RegionDescriptor> _regions;
    private readonly FrozenDictionary<(RegionId, RegionId), TimeSpan> _roundTrips;

    private GeoTopology(
        IReadOnlyList<RegionDescriptor> regions,
        FrozenDictionary<(RegionId, RegionId), TimeSpan> roundTrips,
        TimeSpan sameRegionRoundTrip)
    {
        Regions = regions;
        _regions = regions.ToFrozenDictionary(r => r.Id);
        _roundTrips = roundTrips;
        SameRegionRoundTrip = sameRegionRoundTrip;
    }

    /// <summary>The regions, in configuration order.</summary>
    public IReadOnlyList<RegionDescriptor> Regions { get; }

    /// <summary>The ids of the regions, in configuration order.</summary>
    public IEnumerable<RegionId> RegionIds => Regions.Select(r => r.Id);

    /// <summary>Round trip within one region.</summary>
    public TimeSpan SameRegionRoundTrip { get; }

    /// <summary>Gets a region.</summary>
    /// <exception cref="UnknownRegionException">The region is not part of this topology.</exception>
    public RegionDescriptor this[RegionId region] =>
        _regions.TryGetValue(region, out var descriptor) ? descriptor : throw new UnknownRegionException(region, RegionIds);

    /// <summary>Whether the region is part of this topology.</summary>
    public bool Contains(RegionId region) => region.Value is not null && _regions.ContainsKey(region);

    /// <summary>The configured round-trip time between two regions (<see cref="SameRegionRoundTrip"/> for a region and itself).</summary>
    /// <exception cref="UnknownRegionException">Either region is not part of this topology.</exception>
    public TimeSpan RoundTrip(RegionId a, RegionId b)
    {
        _ = this[a];
        _ = this[b];
        return a == b ? SameRegionRoundTrip : _roundTrips[Ordered(a, b)];
    }

    /// <summary>The one-way delay between two regions: half the round trip.</summary>
    public TimeSpan OneWayDelay(RegionId from, RegionId to) => RoundTrip(from, to) / 2;

    /// <summary>
    /// The seed's three regions (<c>us-east</c>/US, <c>eu-west</c>/EU, <c>apac-east</c>/APAC) with the round trips of its
    /// latency table: us-east↔eu-west 100 ms, us-east↔apac-east 200 ms, eu-west↔apac-east 250 ms, same region 1 ms.
    /// No gateways are set: hosts fill them in with <see cref="WithGateways"/>.
    /// </summary>
    public static GeoTopologyOptions DefaultOptions() => new()
    {
        Regions =
        [
            new RegionOptions { Id = "us-east", DisplayName = "US East", Jurisdiction = "US" },
            new RegionOptions { Id = "eu-west", DisplayName = "EU West", Jurisdiction = "EU" },
            new RegionOptions { Id = "apac-east", DisplayName = "APAC East", Jurisdiction = "APAC" },
        ],
        RoundTrips =
        [
            new RoundTripOptions { Between = "us-east", And = "eu-west", Milliseconds = 100 },
            new RoundTripOptions { Between = "us-east", And = "apac-east", Milliseconds = 200 },
            new RoundTripOptions { Between = "eu-west", And = "apac-east", Milliseconds = 250 },
        ],
        SameRegionMilliseconds = 1,
    };

    /// <summary>The default topology; see <see cref="DefaultOptions"/>.</summary>
    public static GeoTopology Default { get; } = FromOptions(DefaultOptions());

    /// <summary>Validates configuration and builds the topology from it.</summary>
    /// <exception cref="InvalidTopologyException">The configuration is invalid; the message names the problem.</exception>
    public static GeoTopology FromOptions(GeoTopologyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Regions is null || options.Regions.Count == 0)
        {
            throw new InvalidTopologyException("no regions are configured.");
        }

        var regions = new List<RegionDescriptor>(options.Regions.Count);
        var seenGateways = new Dictionary<IPEndPoint, RegionId>();
        foreach (var region in options.Regions)
        {
            if (!RegionId.TryParse(region.Id, out var id))
            {
                throw new InvalidTopologyException($"region id '{region.Id}' is invalid: use lower-case letters, digits and '-', starting with a letter.");
            }

            if (regions.Any(r => r.Id == id))
            {
                throw new InvalidTopologyException($"region '{id}' is listed more than once.");
            }

            if (string.IsNullOrWhiteSpace(region.Jurisdiction))
            {
                throw new InvalidTopologyException($"region '{id}' has no jurisdiction.");
            }

            var gateways = new List<IPEndPoint>();
            foreach (var text in region.Gateways ?? [])
            {
                if (!IPEndPoint.TryParse(text ?? string.Empty, out var endpoint) || endpoint.Port == 0)
                {
                    throw new InvalidTopologyException($"region '{id}' has gateway '{text}', which is not an 'address:port' endpoint.");
                }

                if (seenGateways.TryGetValue(endpoint, out var owner))
                {
                    throw new InvalidTopologyException($"gateway {endpoint} is listed for both '{owner}' and '{id}'.");
                }

                seenGateways.Add(endpoint, id);
                gateways.Add(endpoint);
            }

            var clusterId = string.IsNullOrWhiteSpace(region.ClusterId) ? $"geo-{id}" : region.ClusterId;
            if (regions.Any(r => r.ClusterId == clusterId))
            {
                throw new InvalidTopologyException($"cluster id '{clusterId}' of region '{id}' is used by another region; every region is its own cluster.");
            }

            regions.Add(new RegionDescriptor(id, region.DisplayName ?? id.Value, region.Jurisdiction.Trim(), clusterId, gateways));
        }

        if (!IsValidDelay(options.SameRegionMilliseconds))
        {
            throw new InvalidTopologyException($"the same-region round trip {options.SameRegionMilliseconds} ms is not a non-negative number.");
        }

        var known = regions.Select(r => r.Id).ToHashSet();
        var roundTrips = new Dictionary<(RegionId, RegionId), TimeSpan>();
        foreach (var entry in options.RoundTrips ?? [])
        {
            var a = KnownRegion(entry.Between, known, entry);
            var b = KnownRegion(entry.And, known, entry);
            if (a == b)
            {
                throw new InvalidTopologyException($"round trip {a}↔{b} pairs a region with itself; set SameRegionMilliseconds instead.");
            }

            if (!IsValidDelay(entry.Milliseconds))
            {
                throw new InvalidTopologyException($"round trip {a}↔{b} is {entry.Milliseconds} ms; it must be a non-negative number.");
            }

            if (!roundTrips.TryAdd(Ordered(a, b), TimeSpan.FromMilliseconds(entry.Milliseconds)))
            {
                throw new InvalidTopologyException($"round trip {a}↔{b} is listed more than once; list each pair once, it applies in both directions.");
            }
        }

        for (var i = 0; i < regions.Count; i++)
        {
            for (var j = i + 1; j < regions.Count; j++)
            {
                if (!roundTrips.ContainsKey(Ordered(regions[i].Id, regions[j].Id)))
                {
                    throw new InvalidTopologyException($"no round trip is configured between '{regions[i].Id}' and '{regions[j].Id}'.");
                }
            }
        }

        return new GeoTopology(regions, roundTrips.ToFrozenDictionary(), TimeSpan.FromMilliseconds(options.SameRegionMilliseconds));
    }

    /// <summary>Returns this topology as configuration, e.g. to modify and validate again.</summary>
    public GeoTopologyOptions ToOptions()
    {
        var options = new GeoTopologyOptions { SameRegionMilliseconds = SameRegionRoundTrip.TotalMilliseconds };
        foreach (var region in Regions)
        {
            options.Regions.Add(new RegionOptions
            {
                Id = region.Id.Value,
                DisplayName = region.DisplayName,
                Jurisdiction = region.Jurisdiction,
                ClusterId = region.ClusterId,
                Gateways = region.Gateways.Select(g => g.ToString()).ToList(),
            });
        }

        foreach (var ((a, b), rtt) in _roundTrips)
        {
            options.RoundTrips.Add(new RoundTripOptions { Between = a.Value, And = b.Value, Milliseconds = rtt.TotalMilliseconds });
        }

        return options;
    }

    /// <summary>Returns a copy of this topology in which <paramref name="region"/> has the given gateways and cluster id.</summary>
    /// <exception cref="UnknownRegionException">The region is not part of this topology.</exception>
    public GeoTopology WithGateways(RegionId region, IEnumerable<IPEndPoint> gateways, string? clusterId = null)
    {
        _ = this[region];
        var options = ToOptions();
        var entry = options.Regions.Single(r => r.Id == region.Value);
        entry.Gateways = gateways.Select(g => g.ToString()).ToList();
        entry.ClusterId = clusterId ?? entry.ClusterId;
        return FromOptions(options);
    }

    /// <summary>Returns the topology restricted to the given regions, keeping their round trips.</summary>
    /// <exception cref="UnknownRegionException">A region is not part of this topology.</exception>
    public GeoTopology Subset(IEnumerable<RegionId> regions)
    {
        var keep = regions.Select(r => this[r].Id).ToHashSet();
        var options = ToOptions();
        options.Regions.RemoveAll(r => !keep.Contains(r.Id));
        options.RoundTrips.RemoveAll(p => !keep.Contains(p.Between) || !keep.Contains(p.And));
        return FromOptions(options);
    }

    private static RegionId KnownRegion(string name, HashSet<RegionId> known, RoundTripOptions entry)
    {
        if (!RegionId.TryParse(name, out var id) || !known.Contains(id))
        {
            throw new InvalidTopologyException(
                $"round trip '{entry.Between}'↔'{entry.And}' names region '{name}', which is not in the region list ({string.Join(", ", known)}).");
        }

        return id;
    }

    private static bool IsValidDelay(double milliseconds) => double.IsFinite(milliseconds) && milliseconds >= 0;

    private static (RegionId, RegionId) Ordered(RegionId a, RegionId b) => a.CompareTo(b) <= 0 ? (a, b) : (b, a);
}
