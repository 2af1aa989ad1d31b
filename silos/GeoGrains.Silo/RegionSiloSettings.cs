using System.Net;
using Microsoft.Extensions.Configuration;

namespace GeoGrains.Silo;

/// <summary>Where one silo of a region listens. Bound from the <c>Silo</c> section, environment or command line.</summary>
public sealed class RegionSiloSettings
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Silo";

    /// <summary>Command-line switches and the configuration keys they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> CommandLineSwitches = new Dictionary<string, string>
    {
        ["--region"] = "GeoGrains:Region",
        ["--silo-port"] = "Silo:SiloPort",
        ["--gateway-port"] = "Silo:GatewayPort",
        ["--primary-silo-port"] = "Silo:PrimarySiloPort",
        ["--advertised-address"] = "Silo:AdvertisedAddress",
        ["--topology-file"] = "Silo:TopologyFile",
        ["--exit-when-stdin-closes"] = "Silo:ExitWhenStdinCloses",
        ["--emulate-wan"] = "GeoGrains:Links:EmulateWan",
        ["--storage"] = "GeoGrains:Storage:Provider",
        ["--storage-connection-string"] = "GeoGrains:Storage:ConnectionString",
    };

    /// <summary>The port silos of the region talk to this silo on. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port clients and other regions connect to. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// With in-memory storage (localhost clustering): the silo port of the region's primary silo, which the others join
    /// through. Default: this silo's own port (it is the primary). Unused with Azure storage, where the region's silos
    /// find each other in the membership table of the region's account.
    /// </summary>
    public int? PrimarySiloPort { get; set; }

    /// <summary>
    /// With Azure storage: the address this silo publishes in the membership table for the other silos of its region.
    /// Default <c>127.0.0.1</c> (every silo on this machine).
    /// </summary>
    public string AdvertisedAddress { get; set; } = IPAddress.Loopback.ToString();

    /// <summary>
    /// A JSON file holding the topology (the shape of <c>GeoGrains:Topology</c>), replacing the configured one as a whole;
    /// a launcher that assigns its own ports and regions writes one for all its silos.
    /// </summary>
    public string? TopologyFile { get; set; }

    /// <summary>
    /// Stop when standard input reaches its end. A supervisor that starts the silo keeps the pipe open; when the supervisor
    /// exits, however it ends (even killed), the pipe closes and the silo stops instead of running on as an orphan.
    /// Such a silo ignores SIGINT (its supervisor handles Ctrl+C) and stops on SIGTERM.
    /// </summary>
    public bool ExitWhenStdinCloses { get; set; }

    /// <summary>The parsed <see cref="AdvertisedAddress"/>.</summary>
    public IPAddress AdvertisedIPAddress => IPAddress.Parse(AdvertisedAddress);

    /// <summary>Reads and validates the settings.</summary>
    /// <exception cref="ArgumentException">A port is outside 1–65535, or the advertised address is not an IP address.</exception>
    public static RegionSiloSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection(SectionName).Get<RegionSiloSettings>() ?? new RegionSiloSettings();
        foreach (var (name, port) in new[] { ("silo port", settings.SiloPort), ("gateway port", settings.GatewayPort), ("primary silo port", settings.PrimarySiloPort ?? 1) })
        {
            if (port is < 1 or > 65535)
            {
                throw new ArgumentException($"The {name} {port} is not a TCP port (1-65535).");
            }
        }

        if (!IPAddress.TryParse(settings.AdvertisedAddress, out _))
        {
            throw new ArgumentException($"Silo:AdvertisedAddress (--advertised-address) '{settings.AdvertisedAddress}' is not an IP address.");
        }

        return settings;
    }
}
