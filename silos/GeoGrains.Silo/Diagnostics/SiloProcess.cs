using Orleans.Runtime;

namespace GeoGrains.Silo.Diagnostics;

/// <summary>A silo and the OS process it runs in.</summary>
/// <param name="Silo">The silo address (<see cref="SiloAddress.ToParsableString"/>).</param>
/// <param name="ProcessId">The id of the OS process hosting it.</param>
[GenerateSerializer, Immutable]
public sealed record SiloProcess([property: Id(0)] string Silo, [property: Id(1)] int ProcessId)
{
    /// <summary>The silo this code runs on.</summary>
    public static SiloProcess Of(ILocalSiloDetails silo) => new(silo.SiloAddress.ToParsableString(), Environment.ProcessId);
}
