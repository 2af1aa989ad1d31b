namespace GeoGrains.Tests.Shared;

/// <summary>The regions the tests' clusters and topologies name, by their ids.</summary>
public static class TestRegions
{
    public static readonly RegionId UsEast = "us-east";
    public static readonly RegionId EuWest = "eu-west";
    public static readonly RegionId ApacEast = "apac-east";
    public static readonly RegionId SaEast = "sa-east";
    public static readonly RegionId AfSouth = "af-south";
}
