using GeoGrains.Runtime.Topology;
using System.Collections.Immutable;

namespace GeoGrains.Runtime.Failover;

/// <summary>
/// The regions' agreed configuration: which regions are away and who took over what they owned. Changed only through
/// <see cref="OwnershipAgreement"/> (a majority of regions accepts each change), each change one generation higher; a
/// change's epoch (<see cref="EpochOf"/>) is higher than every epoch issued in earlier generations, so what the new owners
/// write fences everything the old owner wrote.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record RegionConfiguration(
    [property: Id(0)] long Generation,
    [property: Id(1)] ImmutableDictionary<RegionId, RegionTenure> Tenures)
{
    /// <summary>Room for this many moves of one grain within one generation; epochs of directory moves count up from a generation's epoch.</summary>
    private const int EpochBits = 32;

    public static readonly RegionConfiguration Initial = new(0, ImmutableDictionary<RegionId, RegionTenure>.Empty);

    /// <summary>The epoch of the tenures decided in <paramref name="generation"/>: above every epoch of earlier generations.</summary>
    public static long EpochOf(long generation) => generation << EpochBits;

    /// <summary>The generation <paramref name="epoch"/> was issued in.</summary>
    public static long GenerationOf(long epoch) => epoch >> EpochBits;

    /// <summary>
    /// Who owns a grain the directory gives to <paramref name="ownership"/>: following every tenure decided after the
    /// directory's entry, so that a grain a failed region owned goes to its successor, and on if that one failed too.
    /// </summary>
    public GrainOwnership Resolve(GrainOwnership ownership, HomePartition partition)
    {
        for (var step = 0; step <= Tenures.Count; step++)
        {
            if (!Tenures.TryGetValue(ownership.Owner, out var tenure) || tenure.Epoch <= ownership.Epoch)
            {
                return ownership;
            }

            ownership = new GrainOwnership(tenure.SuccessorOf(partition), tenure.Epoch);
        }

        return ownership;
    }

    /// <summary>Whether <paramref name="region"/> has handed what it owns to successors.</summary>
    public bool IsAway(RegionId region) => Tenures.TryGetValue(region, out var tenure) && tenure.State == TenureState.Away;

    /// <summary>Whether <paramref name="epoch"/> is that of a takeover: the new owner must gather the freshest copy first.</summary>
    public bool IsTakeover(long epoch) => Tenures.Values.Any(t => t.State == TenureState.Away && t.Epoch == epoch);

    /// <summary>The tenure whose epoch is <paramref name="epoch"/>, if any.</summary>
    public RegionTenure? TenureAt(long epoch) => Tenures.Values.FirstOrDefault(t => t.Epoch == epoch);

    /// <summary>The next generation, with <paramref name="region"/>'s tenure set.</summary>
    public RegionConfiguration With(RegionId region, TenureState state, ImmutableArray<RegionId> successors, DateTimeOffset at, bool planned = false)
    {
        var generation = Generation + 1;
        return new RegionConfiguration(generation, Tenures.SetItem(region, new RegionTenure(region, EpochOf(generation), state, successors, at, planned)));
    }

    public override string ToString() =>
        Tenures.Count == 0 ? $"generation {Generation}" : $"generation {Generation}: {string.Join("; ", Tenures.Values.OrderBy(t => t.Region.Value, StringComparer.Ordinal))}";
}
