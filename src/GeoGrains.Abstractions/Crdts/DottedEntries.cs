using System.Collections.Immutable;

namespace GeoGrains.Crdts;

/// <summary>
/// The join of observed-remove types (the "optimized OR-Set" without tombstones): an add keeps an element present until
/// a remove that saw it; each side's causal context says which adds it has seen. An add is kept if both sides hold it,
/// or if one holds it and the other has not seen it; an add one side has seen and no longer holds was removed there.
/// An entry's value must be the same wherever its dots are (true of sets, and of registers keyed by their dot).
/// </summary>
internal static class DottedEntries
{
    public static ImmutableArray<DottedEntry<TKey, TValue>> Canonical<TKey, TValue>(IEnumerable<DottedEntry<TKey, TValue>> entries)
        where TKey : notnull =>
        [.. entries
            .Where(e => !e.Dots.IsDefaultOrEmpty)
            .Select(e => e with { Dots = [.. e.Dots.Distinct().Order()] })
            .OrderBy(e => e.Key, CrdtOrder.For<TKey>())];

    public static ImmutableArray<DottedEntry<TKey, TValue>> Join<TKey, TValue>(
        ImmutableArray<DottedEntry<TKey, TValue>> mine, VersionVector myContext,
        ImmutableArray<DottedEntry<TKey, TValue>> theirs, VersionVector theirContext)
        where TKey : notnull
    {
        var comparer = EqualityComparer<TKey>.Default;
        var result = new List<DottedEntry<TKey, TValue>>();
        foreach (var key in mine.Select(e => e.Key).Concat(theirs.Select(e => e.Key)).Distinct(comparer))
        {
            var a = mine.FirstOrDefault(e => comparer.Equals(e.Key, key));
            var b = theirs.FirstOrDefault(e => comparer.Equals(e.Key, key));
            var aDots = a?.Dots ?? [];
            var bDots = b?.Dots ?? [];
            var kept = aDots.Where(d => bDots.Contains(d) || !theirContext.Contains(d))
                .Concat(bDots.Where(d => aDots.Contains(d) || !myContext.Contains(d)))
                .ToImmutableArray();
            if (kept.Length == 0)
            {
                continue;
            }

            // ORSet and MVRegister values never change under one dot, so either side's is the value.
            var value = a is not null ? a.Value : b!.Value;
            result.Add(new DottedEntry<TKey, TValue>(key, kept, value));
        }

        return Canonical(result);
    }
}
