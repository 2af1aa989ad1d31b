using System.Globalization;
using System.Net;
using Orleans.Hosting;

namespace GeoGrains.Client.Regions;

/// <summary>
/// <see cref="GeoGrainsClientOptions"/> validated once, when the client is configured: bad settings fail the app's start
/// with <see cref="InvalidGeoClientOptionsException"/> naming the setting, not its first call.
/// </summary>
internal sealed class GeoClientSettings
{
    private GeoClientSettings(GeoGrainsClientOptions options, IReadOnlyList<ClientRegion> regions, IReadOnlyList<RegionId> preferred)
    {
        Regions = regions;
        PreferredRegions = preferred;
        ProbeInterval = options.ProbeInterval;
        LatencySmoothing = options.LatencySmoothing;
        FailbackAfter = options.FailbackAfter;
        CallTimeout = options.CallTimeout;
        ConnectTimeout = options.ConnectTimeout;
        DirectHomeRouting = options.DirectHomeRouting;
        IdempotentWrites = options.IdempotentWrites;
        ConfigureRegionClient = options.ConfigureRegionClient;
    }

    public IReadOnlyList<ClientRegion> Regions { get; }

    public IReadOnlyList<RegionId> PreferredRegions { get; }

    public TimeSpan ProbeInterval { get; }

    public double LatencySmoothing { get; }

    public TimeSpan FailbackAfter { get; }

    public TimeSpan CallTimeout { get; }

    public TimeSpan ConnectTimeout { get; }

    public bool DirectHomeRouting { get; }

    public bool IdempotentWrites { get; }

    public Action<IClientBuilder>? ConfigureRegionClient { get; }

    /// <exception cref="InvalidGeoClientOptionsException">A setting is invalid; the message names it.</exception>
    public static GeoClientSettings Validate(GeoGrainsClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Section = GeoGrainsClientOptions.SectionName;
        if (options.Regions is not { Count: > 0 })
        {
            throw new InvalidGeoClientOptionsException($"{Section}:Regions is empty: configure at least one region with its gateways.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            throw new InvalidGeoClientOptionsException($"{Section}:ServiceId is empty.");
        }

        var regions = new List<ClientRegion>();
        for (var i = 0; i < options.Regions.Count; i++)
        {
            var region = options.Regions[i] ?? throw new InvalidGeoClientOptionsException($"{Section}:Regions:{i} is null.");
            if (!RegionId.TryParse(region.Name, out var id))
            {
                throw new InvalidGeoClientOptionsException(
                    $"{Section}:Regions:{i}:Name '{region.Name}' is not a region id (lower-case letters, digits and hyphens, starting with a letter).");
            }

            if (regions.Any(r => r.Id == id))
            {
                throw new InvalidGeoClientOptionsException($"{Section}:Regions lists region '{id}' twice.");
            }

            if (region.Gateways is not { Count: > 0 })
            {
                throw new InvalidGeoClientOptionsException($"{Section}:Regions:{i} ('{id}') has no gateways: give at least one 'host:port'.");
            }

            var gateways = region.Gateways.Select(g => ParseEndpoint(g, $"{Section}:Regions:{i} ('{id}')")).ToList();
            var clusterId = region.ClusterId ?? $"geo-{id}";
            var serviceId = region.ServiceId ?? options.ServiceId;
            if (string.IsNullOrWhiteSpace(clusterId) || string.IsNullOrWhiteSpace(serviceId))
            {
                throw new InvalidGeoClientOptionsException($"{Section}:Regions:{i} ('{id}') has an empty ClusterId or ServiceId.");
            }

            regions.Add(new ClientRegion(id, gateways, clusterId, serviceId));
        }

        var preferred = new List<RegionId>();
        foreach (var name in options.PreferredRegions ?? [])
        {
            var match = regions.FirstOrDefault(r => r.Id.Value == name);
            if (match is null)
            {
                throw new InvalidGeoClientOptionsException(
                    $"{Section}:PreferredRegions names '{name}', which is not one of the configured regions ({string.Join(", ", regions.Select(r => r.Id))}).");
            }

            if (preferred.Contains(match.Id))
            {
                throw new InvalidGeoClientOptionsException($"{Section}:PreferredRegions lists '{name}' twice.");
            }

            preferred.Add(match.Id);
        }

        Positive(options.ProbeInterval, "ProbeInterval");
        Positive(options.CallTimeout, "CallTimeout");
        Positive(options.ConnectTimeout, "ConnectTimeout");
        if (options.FailbackAfter < TimeSpan.Zero)
        {
            throw new InvalidGeoClientOptionsException($"{Section}:FailbackAfter is negative ({options.FailbackAfter}).");
        }

        if (!(options.LatencySmoothing > 0 && options.LatencySmoothing <= 1))
        {
            throw new InvalidGeoClientOptionsException($"{Section}:LatencySmoothing is {options.LatencySmoothing.ToString(CultureInfo.InvariantCulture)}; it must be in (0, 1].");
        }

        return new GeoClientSettings(options, regions, preferred);
    }

    /// <summary>Parses <c>host:port</c>, <c>1.2.3.4:port</c> or <c>[::1]:port</c>.</summary>
    /// <exception cref="InvalidGeoClientOptionsException">The endpoint is malformed.</exception>
    public static EndPoint ParseEndpoint(string? text, string owner)
    {
        var value = text?.Trim() ?? string.Empty;
        var colon = value.LastIndexOf(':');
        if (colon > 0
            && int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535)
        {
            var host = value[..colon];
            if (host.StartsWith('[') && host.EndsWith(']'))
            {
                host = host[1..^1];
            }

            if (IPAddress.TryParse(host, out var address) && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || !host.Contains(':')))
            {
                return new IPEndPoint(address, port);
            }

            if (Uri.CheckHostName(host) == UriHostNameType.Dns)
            {
                return new DnsEndPoint(host, port);
            }
        }

        throw new InvalidGeoClientOptionsException($"{owner} has gateway '{text}', which is not 'host:port' (a host name or IP address, and a port from 1 to 65535).");
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new InvalidGeoClientOptionsException($"{GeoGrainsClientOptions.SectionName}:{name} must be positive (was {value}).");
        }
    }
}
