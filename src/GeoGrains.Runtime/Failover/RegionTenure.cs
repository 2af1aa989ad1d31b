using GeoGrains.Runtime.Topology;
using System.Collections.Immutable;

namespace GeoGrains.Runtime.Failover;

/// <summary>Whether a region holds what it owns, or has handed it to successors.</summary>
internal enum TenureState
{
    /// <summary>The region owns what the directory says it owns (after a return, under the tenure's epoch).</summary>
    Owning,

    /// <summary>Everything the directory says the region owns is owned by its successors, under the tenure's epoch.</summary>
    Away,
}

/// <summary>
/// What the regions agreed about one region's ownership: from <see cref="Epoch"/> on, every grain the directory gives the
/// region under an older epoch is owned by <see cref="SuccessorOf"/> its partition (<see cref="TenureState.Away"/>), or by
/// the region again (<see cref="TenureState.Owning"/>). One entry moves all of a region's grains, its home partitions and
/// every grain rehomed to it alike, without naming any of them.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record RegionTenure(
    [property: Id(0)] RegionId Region,
    [property: Id(1)] long Epoch,
    [property: Id(2)] TenureState State,
    [property: Id(3)] ImmutableArray<RegionId> Successors,
    [property: Id(4)] DateTimeOffset DecidedAt,
    [property: Id(5)] bool Planned = false)
{
    /// <summary>The region that takes over <paramref name="partition"/>'s grains; partitions are spread by bucket.</summary>
    public RegionId SuccessorOf(HomePartition partition) =>
        State == TenureState.Away && !Successors.IsDefaultOrEmpty ? Successors[partition.Bucket % Successors.Length] : Region;

    public override string ToString() => State == TenureState.Away
        ? $"{Region} {(Planned ? "drained" : "away")} at epoch {Epoch}, successors {string.Join(", ", Successors.GroupBy(s => s).Select(g => $"{g.Key} ×{g.Count()}"))}"
        : $"{Region} owning again at epoch {Epoch}";
}
