using GeoGrains.Silo.Diagnostics;
using Orleans.Runtime;

namespace GeoGrains.Silo.Demo;

/// <summary>
/// The dev cluster's demo geo grain: a visit counter homed in the region its key names. It lives in the silo so that
/// every silo process can host it.
/// </summary>
public interface IDemoProfileGrain : IGrainWithStringKey
{
    /// <summary>Counts a visit in the home region and says where the write ran.</summary>
    Task<DemoVisit> Visit(RegionId from);
}

/// <summary>A committed visit.</summary>
/// <param name="Version">The grain's version after the write.</param>
/// <param name="Where">The silo and process of the home activation that took the write.</param>
[GenerateSerializer, Immutable]
public sealed record DemoVisit([property: Id(0)] long Version, [property: Id(1)] SiloProcess Where);

/// <summary>The demo grain's state.</summary>
[GenerateSerializer]
public sealed record DemoProfile([property: Id(0)] int Visits, [property: Id(1)] string? LastVisitFrom)
{
    /// <summary>No visits yet.</summary>
    public DemoProfile() : this(0, null)
    {
    }
}

/// <summary>The demo grain.</summary>
[GeoGrain]
public sealed class DemoProfileGrain(ILocalSiloDetails silo) : GeoGrain<DemoProfile>, IDemoProfileGrain
{
    /// <inheritdoc />
    public async Task<DemoVisit> Visit(RegionId from)
    {
        await Update(p => p with { Visits = p.Visits + 1, LastVisitFrom = from.Value });
        return new DemoVisit(Version, SiloProcess.Of(silo));
    }
}
