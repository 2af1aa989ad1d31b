namespace GeoGrains.Crdts;

/// <summary>
/// A state-based conflict-free replicated data type: regions change their own copies without coordination and
/// <see cref="Merge"/> joins any two copies. The join is commutative, associative and idempotent, so copies that have
/// seen the same changes are equal (byte for byte once serialized) in whatever order, and how often, they were merged.
/// </summary>
/// <typeparam name="TSelf">The type itself.</typeparam>
public interface ICrdt<TSelf>
    where TSelf : ICrdt<TSelf>
{
    /// <summary>The join of this copy and <paramref name="other"/>: everything either has seen.</summary>
    TSelf Merge(TSelf other);
}
