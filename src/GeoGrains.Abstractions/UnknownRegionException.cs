namespace GeoGrains;

/// <summary>A region id was used that is not part of the configured topology.</summary>
[GenerateSerializer]
public sealed class UnknownRegionException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    public UnknownRegionException(RegionId region, IEnumerable<RegionId> known)
        : base($"Region '{region}' is not part of the topology (known regions: {string.Join(", ", known)}).")
    {
        Region = region;
    }

    /// <summary>The region that is not known.</summary>
    [Id(0)]
    public RegionId Region { get; }
}
