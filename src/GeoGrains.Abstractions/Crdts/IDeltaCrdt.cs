namespace GeoGrains.Crdts;

/// <summary>
/// A CRDT that can hand over only what changed: <see cref="DeltaSince"/> takes what this copy has that an earlier copy
/// of it lacks, and <see cref="MergeDelta"/> joins such a delta into any copy that has seen that earlier one, with the
/// same result as joining this whole copy. GeoGrains ships an active-active grain whose state implements this as the
/// delta against the version the receiving region acknowledged, whenever the delta is smaller (counters with many
/// regions, sets with many elements), and as the whole state otherwise.
/// </summary>
/// <typeparam name="TSelf">The type itself.</typeparam>
/// <typeparam name="TDelta">What a delta is: the type itself where a part of a copy is a copy (counters, grow-only sets, LWW maps), or a type of its own.</typeparam>
public interface IDeltaCrdt<TSelf, TDelta> : ICrdt<TSelf>
    where TSelf : IDeltaCrdt<TSelf, TDelta>
{
    /// <summary>
    /// What this copy has that <paramref name="earlier"/> lacks. <paramref name="earlier"/> must be a copy this one has
    /// seen (this copy is it, changed and merged since): then, for every copy <c>x</c> that has seen
    /// <paramref name="earlier"/>, <c>x.MergeDelta(DeltaSince(earlier))</c> equals <c>x.Merge(this)</c>, byte for byte.
    /// </summary>
    /// <exception cref="InvalidCrdtOperationException"><paramref name="earlier"/> has seen changes this copy has not.</exception>
    TDelta DeltaSince(TSelf earlier);

    /// <summary>
    /// This copy joined with a delta taken by <see cref="DeltaSince"/> against a copy this one has seen.
    /// </summary>
    /// <exception cref="InvalidCrdtOperationException">The delta was taken against a copy this one has not seen (where the type can tell: a delta that is a part of a copy joins into any copy).</exception>
    TSelf MergeDelta(TDelta delta);
}
