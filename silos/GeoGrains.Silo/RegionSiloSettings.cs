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
        ["--emulate-wan"] = "GeoGrains:Links:EmulateWan",
    };

    /// <summary>The port silos of the region talk to this silo on. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port clients and other regions connect to. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The silo port of the region's primary silo, which the others join through. Default: this silo's own port (it is the primary).</summary>
    public int? PrimarySiloPort { get; set; }

    /// <summary>Reads and validates the settings.</summary>
    /// <exception cref="ArgumentException">A port is outside 1–65535.</exception>
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

        return settings;
    }
}
