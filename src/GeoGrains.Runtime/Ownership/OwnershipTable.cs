using GeoGrains.Runtime.Topology;
using System.Collections.Immutable;

namespace GeoGrains.Runtime.Ownership;

/// <summary>
/// Who owns what: partitions whose owner is not their home region, and single grains moved away from their partition's
/// owner. Everything else is owned by its home region under epoch 1. Immutable; merging two tables keeps, for each entry,
/// the higher epoch, so copies in different regions converge whatever order changes arrive in. This is also the unit of
/// change: a move, a batch of the change log and a directory's answer are tables holding only the entries concerned.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record OwnershipTable(
    [property: Id(0)] ImmutableDictionary<HomePartition, GrainOwnership> Partitions,
    [property: Id(1)] ImmutableDictionary<string, GrainOwnership> Grains)
{
    public const long InitialEpoch = 1;

    public static readonly OwnershipTable Empty = new(
        ImmutableDictionary<HomePartition, GrainOwnership>.Empty,
        ImmutableDictionary<string, GrainOwnership>.Empty);

    /// <summary>The number of entries.</summary>
    public int Count => Partitions.Count + Grains.Count;

    public GrainOwnership Resolve(GrainId grain, HomePartition partition) =>
        Grains.TryGetValue(grain.ToString(), out var moved) ? moved
        : Partitions.TryGetValue(partition, out var owner) ? owner
        : new GrainOwnership(partition.Home, InitialEpoch);

    /// <summary>Sets a grain's owner if <paramref name="ownership"/> has a higher epoch than what is known for it.</summary>
    public OwnershipTable WithGrain(GrainId grain, HomePartition partition, GrainOwnership ownership) =>
        ownership.Epoch > Resolve(grain, partition).Epoch ? this with { Grains = Grains.SetItem(grain.ToString(), ownership) } : this;

    public OwnershipTable Merge(OwnershipTable other)
    {
        var merged = this;
        foreach (var (partition, ownership) in other.Partitions)
        {
            if (!merged.Partitions.TryGetValue(partition, out var mine) || ownership.Epoch > mine.Epoch)
            {
                merged = merged with { Partitions = merged.Partitions.SetItem(partition, ownership) };
            }
        }

        foreach (var (grain, ownership) in other.Grains)
        {
            if (!merged.Grains.TryGetValue(grain, out var mine) || ownership.Epoch > mine.Epoch)
            {
                merged = merged with { Grains = merged.Grains.SetItem(grain, ownership) };
            }
        }

        return merged;
    }

    /// <summary>Merges many tables at once (higher epochs win), e.g. consecutive revisions of a change log.</summary>
    public static OwnershipTable Combine(IEnumerable<OwnershipTable> tables)
    {
        var partitions = ImmutableDictionary.CreateBuilder<HomePartition, GrainOwnership>();
        var grains = ImmutableDictionary.CreateBuilder<string, GrainOwnership>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            foreach (var (partition, ownership) in table.Partitions)
            {
                if (!partitions.TryGetValue(partition, out var known) || ownership.Epoch > known.Epoch)
                {
                    partitions[partition] = ownership;
                }
            }

            foreach (var (grain, ownership) in table.Grains)
            {
                if (!grains.TryGetValue(grain, out var known) || ownership.Epoch > known.Epoch)
                {
                    grains[grain] = ownership;
                }
            }
        }

        return partitions.Count == 0 && grains.Count == 0 ? Empty : new OwnershipTable(partitions.ToImmutable(), grains.ToImmutable());
    }
}
