namespace GeoGrains.DevCluster.Demo;

/// <summary>The demo workload's geo grain: a visit counter homed in the region its key names.</summary>
public interface IDemoProfileGrain : IGrainWithStringKey
{
    Task<long> Visit(RegionId from);
}

public sealed record DemoProfile(int Visits, string? LastVisitFrom)
{
    public DemoProfile() : this(0, null)
    {
    }
}

[GeoGrain]
public sealed class DemoProfileGrain : GeoGrain<DemoProfile>, IDemoProfileGrain
{
    public async Task<long> Visit(RegionId from)
    {
        await Update(p => p with { Visits = p.Visits + 1, LastVisitFrom = from.Value });
        return Version;
    }
}
