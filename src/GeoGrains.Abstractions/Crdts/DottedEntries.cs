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
        where TKey : notnull => Join(mine, myContext.Contains, theirs, theirContext.Contains);

    /// <summary>
    /// The join with each side's context given as which dots it has seen: a copy's vector, or a delta's dot set (so a
    /// delta joins by the same rule as a whole copy).
    /// </summary>
    public static ImmutableArray<DottedEntry<TKey, TValue>> Join<TKey, TValue>(
        ImmutableArray<DottedEntry<TKey, TValue>> mine, Func<Dot, bool> mySeen,
        ImmutableArray<DottedEntry<TKey, TValue>> theirs, Func<Dot, bool> theirSeen)
        where TKey : notnull
    {
        var myEntries = ByKey(mine);
        var theirEntries = ByKey(theirs);
        var result = new List<DottedEntry<TKey, TValue>>();
        foreach (var key in myEntries.Keys.Concat(theirEntries.Keys).Distinct(myEntries.Comparer))
        {
            var a = myEntries.GetValueOrDefault(key);
            var b = theirEntries.GetValueOrDefault(key);
            var aDots = a?.Dots ?? [];
            var bDots = b?.Dots ?? [];
            var kept = aDots.Where(d => bDots.Contains(d) || !theirSeen(d))
                .Concat(bDots.Where(d => aDots.Contains(d) || !mySeen(d)))
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

    // A key named twice (only a hand-made copy does that) counts with its first entry.
    private static Dictionary<TKey, DottedEntry<TKey, TValue>> ByKey<TKey, TValue>(ImmutableArray<DottedEntry<TKey, TValue>> entries)
        where TKey : notnull
    {
        var byKey = new Dictionary<TKey, DottedEntry<TKey, TValue>>(EqualityComparer<TKey>.Default);
        foreach (var entry in entries)
        {
            byKey.TryAdd(entry.Key, entry);
        }

        return byKey;
    }
}
