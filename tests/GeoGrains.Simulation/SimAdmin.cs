
namespace GeoGrains.Simulation;

/// <summary>
/// Mirrors <c>GeoAdminGrain.Rehome</c> (src/GeoGrains.Runtime/Admin/GeoAdminGrain.cs), what
/// <c>RehomeAsync(grain, region)</c> asks of whichever region it reaches: refuse a region that is away, find the owner
/// as this region sees it (<c>GetGeoStatus</c> is answered where it arrives), and ask the owner's activation to hand the
/// grain off, following up to three times an owner the asked one names. If GeoAdminGrain.Rehome changes, change this file
/// the same way.
/// </summary>
internal sealed class SimAdmin(SimWorld world, SimNode node)
{
    private const int MaxAttempts = 3;

    public async Task<GrainOwnership> Rehome(SimGrain grain, RegionId newRegion)
    {
        if (node.Health.Learned.IsAway(newRegion))
        {
            throw new RegionUnreachableException(node.Region.Id, newRegion, "the regions took its grains over after it failed; it takes no grains until it returns.");
        }

        var owner = (node.SiloFor(grain) ?? throw Down(node)).Ownership.Resolve(grain);
        for (var attempt = 1; ; attempt++)
        {
            if (owner.Owner == newRegion)
            {
                return owner;
            }

            try
            {
                return owner.Owner == node.Region.Id
                    ? await HandOffAt(node, grain, newRegion)
                    : await world.Network.CallAsync(node.Region, world[owner.Owner], $"hand off {grain}", n => HandOffAt(n, grain, newRegion), world.Options.CallTimeout);
            }
            catch (OwnershipMovedException moved) when (attempt < MaxAttempts && moved.Current.Epoch >= owner.Epoch)
            {
                // This region's directory was behind: ask the region that the asked one names.
                owner = moved.Current;
            }
        }
    }

    // The grain's activation takes the call, on the silo it is (or is now) activated on.
    private static Task<GrainOwnership> HandOffAt(SimNode node, SimGrain grain, RegionId newRegion) =>
        node.SiloFor(grain) is { } silo ? silo.Call(() => silo.HandOff.HandOff(grain, newRegion)) : Task.FromException<GrainOwnership>(Down(node));

    private static RegionUnreachableException Down(SimNode node) => new(node.Region.Id, node.Region.Id, "no silo of the region is up.");
}
