using GeoGrains.Runtime.Ownership;
using GeoGrains.Runtime.Storage;
using System.Reflection;
using GeoGrains.Crdts;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// Joins two states of a grain whose state is a CRDT. <c>GeoGrain&lt;TState&gt;</c> does not constrain its state to
/// <see cref="ICrdt{T}"/> (most grains are not CRDTs), so the join is found once per state type.
/// </summary>
internal static class CrdtMerge<TState>
{
    private static readonly Func<TState, TState, TState>? Join = Find();

    /// <summary>The join of <paramref name="a"/> and <paramref name="b"/>.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="TState"/> is not a CRDT.</exception>
    public static TState Merge(TState a, TState b) => Join is { } join ? join(a, b) : throw new InvalidOperationException(
        $"State {typeof(TState).Name} does not implement ICrdt<{typeof(TState).Name}>, so it cannot be merged as a CRDT.");

    /// <summary>
    /// The join of two stored states, as stored: what resolving two concurrent versions of a grain with
    /// <see cref="ConflictPolicy.Crdt"/> stores, byte for byte, wherever it is computed (in the grain's activation or not).
    /// </summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="TState"/> is not a CRDT.</exception>
    public static byte[] MergeStored(byte[] later, byte[] earlier) =>
        GeoStateSerializer.Serialize(Merge(GeoStateSerializer.Deserialize<TState>(later), GeoStateSerializer.Deserialize<TState>(earlier)));

    private static Func<TState, TState, TState>? Find()
    {
        if (ActiveActiveRules.CrdtInterfaceOf(typeof(TState)) is not { } crdt)
        {
            return null;
        }

        var merge = crdt.GetMethod(nameof(ICrdt<GCounter>.Merge), BindingFlags.Instance | BindingFlags.Public)!;
        return (a, b) => (TState)merge.Invoke(a, [b])!;
    }

}
