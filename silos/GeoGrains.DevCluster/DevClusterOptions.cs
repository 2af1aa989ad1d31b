using GeoGrains.Runtime.Topology;

namespace GeoGrains.DevCluster;

/// <summary>The dev cluster's command line.</summary>
internal sealed record DevClusterOptions(
    IReadOnlyList<RegionId> Regions,
    int SilosPerRegion,
    TimeSpan? Duration,
    int BasePort,
    int Samples,
    DevClusterStorage Storage,
    bool Processes)
{
    public const string Usage = """
        Usage: dotnet run --project silos/GeoGrains.DevCluster [-- options]
          --regions <a,b,...>        regions of the default topology to start (default: us-east,eu-west,apac-east)
          --silos-per-region <n>     silos in each region (default: 2)
          --duration <seconds>       exit on its own after this long (default: run until Ctrl+C)
          --base-port <port>         first TCP port used; each region takes 100 from here (default: 21000)
          --samples <n>              round trips measured per region pair (default: 5)
          --storage memory|azure     region storage (default: memory); azure starts one Azurite per region (needs `npm ci`)
          --processes                run every silo as its own process (dotnet GeoGrains.Silo.dll); needs --storage azure
        """;

    /// <summary>Parses the command line.</summary>
    /// <exception cref="ArgumentException">An option is unknown or its value is invalid; the message says which.</exception>
    public static DevClusterOptions Parse(string[] args)
    {
        var regions = GeoTopology.Default.RegionIds.ToList();
        var silos = 2;
        TimeSpan? duration = null;
        var basePort = 21000;
        var samples = 5;
        var storage = DevClusterStorage.Memory;
        var processes = false;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--regions":
                    regions = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseRegion)];
                    break;
                case "--silos-per-region":
                    silos = Number(name, Value(), 1, 10);
                    break;
                case "--duration":
                    duration = TimeSpan.FromSeconds(Number(name, Value(), 1, 86_400));
                    break;
                case "--base-port":
                    basePort = Number(name, Value(), 1024, 60_000);
                    break;
                case "--samples":
                    samples = Number(name, Value(), 1, 1_000);
                    break;
                case "--storage":
                    storage = Value() switch
                    {
                        "memory" => DevClusterStorage.Memory,
                        "azure" => DevClusterStorage.Azure,
                        var other => throw new ArgumentException($"--storage: '{other}' is not memory or azure."),
                    };
                    break;
                case "--processes":
                    processes = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{name}'.");
            }
        }

        if (regions.Count == 0 || regions.Distinct().Count() != regions.Count)
        {
            throw new ArgumentException("--regions must name at least one region, each once.");
        }

        if (basePort + regions.Count * 100 > 65_535)
        {
            throw new ArgumentException($"--base-port {basePort} leaves no room for {regions.Count} regions below port 65535.");
        }

        if (processes && storage != DevClusterStorage.Azure)
        {
            // Silos in separate processes find the other silos of their region in the region's storage account; an
            // in-memory account lives in one process, so there is nothing they could share.
            throw new ArgumentException(
                "--processes needs --storage azure: each region's silo processes form one cluster through the membership table of the region's Azure storage account, which in-memory storage cannot provide.");
        }

        return new DevClusterOptions(regions, silos, duration, basePort, samples, storage, processes);
    }

    private static RegionId ParseRegion(string text)
    {
        if (!RegionId.TryParse(text, out var region) || !GeoTopology.Default.Contains(region))
        {
            throw new ArgumentException($"--regions: '{text}' is not a region of the default topology ({string.Join(", ", GeoTopology.Default.RegionIds)}).");
        }

        return region;
    }

    private static int Number(string name, string text, int min, int max) =>
        int.TryParse(text, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name}: '{text}' is not a whole number from {min} to {max}.");
}
