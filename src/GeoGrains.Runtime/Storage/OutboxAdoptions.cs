namespace GeoGrains.Runtime.Storage;

/// <summary>
/// Which live silo took over the outbox markers of each silo that is gone, kept in one row of the region's table. A
/// marker names the silo that wrote it; once that silo is gone, the silo recorded here as its adopter ships it, for as
/// long as the adopter lives. Recording the adoption (one conditional write) before resuming makes every orphaned
/// marker resumed by one silo, also when a restarted region briefly runs two recovery activations while its membership
/// settles, or when the recovery grain moves: without rewriting any marker.
/// </summary>
[GenerateSerializer]
internal sealed class OutboxAdoptions
{
    /// <summary>No silo has adopted any markers.</summary>
    public static OutboxAdoptions None => new();

    /// <summary>The adopter of each silo that is gone, by silo address.</summary>
    [Id(0)]
    public Dictionary<string, string> Adopters { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Of <paramref name="orphaned"/> (silos that are gone and left markers), those whose markers <paramref name="me"/>
    /// must resume now: not adopted yet, or adopted by a silo that is not <paramref name="live"/> either. With them, the
    /// adoptions to store: theirs by <paramref name="me"/>, and the standing ones of silos that still left markers (an
    /// adoption whose markers are all shipped is dropped).
    /// </summary>
    public (IReadOnlyList<string> Adopt, OutboxAdoptions Next) Plan(IReadOnlySet<string> orphaned, IReadOnlySet<string> live, string me)
    {
        var adopt = orphaned.Where(gone => !(Adopters.TryGetValue(gone, out var adopter) && live.Contains(adopter))).Order(StringComparer.Ordinal).ToList();
        var next = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var gone in orphaned)
        {
            next[gone] = adopt.Contains(gone) ? me : Adopters[gone];
        }

        return (adopt, new OutboxAdoptions { Adopters = next });
    }
}
