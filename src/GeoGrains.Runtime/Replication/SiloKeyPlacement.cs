using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace GeoGrains.Runtime.Replication;

/// <summary>Places a grain whose key is a silo address (<see cref="SiloAddress.ToParsableString"/>) on that silo, to reach one silo by a grain call.</summary>
[GenerateSerializer, Immutable]
internal sealed class SiloKeyPlacement : PlacementStrategy
{
    public static readonly SiloKeyPlacement Instance = new();
}

/// <summary>Marks a grain class placed by <see cref="SiloKeyPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class SiloKeyPlacementAttribute() : PlacementAttribute(SiloKeyPlacement.Instance);

internal sealed class SiloKeyPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silo = SiloAddress.FromParsableString(target.GrainIdentity.Key.ToString()!);
        return context.GetCompatibleSilos(target).Contains(silo)
            ? Task.FromResult(silo)
            : throw new OrleansException($"Silo {silo} named by grain {target.GrainIdentity} is not an active silo of this cluster.");
    }
}
