using GeoGrains.Crdts;
using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// Takes and joins deltas of one active-active grain type's state (an <see cref="IDeltaCrdt{TSelf, TDelta}"/>) in the
/// JSON bytes GeoGrains stores and ships, so the replication stream can carry what changed instead of the whole state.
/// </summary>
internal abstract class StateDelta
{
    /// <summary>What <paramref name="state"/> has that <paramref name="since"/>, a state it has seen, lacks.</summary>
    /// <exception cref="InvalidCrdtOperationException"><paramref name="since"/> has seen changes <paramref name="state"/> has not.</exception>
    public abstract byte[] Take(byte[] state, byte[] since);

    /// <summary><paramref name="state"/> joined with <paramref name="delta"/>, which was taken against a state <paramref name="state"/> has seen.</summary>
    /// <exception cref="InvalidCrdtOperationException">The delta was taken against a state this one has not seen (where the type can tell).</exception>
    public abstract byte[] Join(byte[] state, byte[] delta);

    /// <summary>The delta codec of <paramref name="state"/>, if it is an <see cref="IDeltaCrdt{TSelf, TDelta}"/>.</summary>
    public static StateDelta? For(Type state)
    {
        var delta = state.GetInterfaces().FirstOrDefault(i =>
            i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDeltaCrdt<,>) && i.GetGenericArguments()[0] == state);
        return delta is null
            ? null
            : (StateDelta)Activator.CreateInstance(typeof(StateDelta<,>).MakeGenericType(state, delta.GetGenericArguments()[1]))!;
    }
}

/// <inheritdoc />
internal sealed class StateDelta<TState, TDelta> : StateDelta
    where TState : IDeltaCrdt<TState, TDelta>
{
    public override byte[] Take(byte[] state, byte[] since) =>
        GeoStateSerializer.Serialize(GeoStateSerializer.Deserialize<TState>(state).DeltaSince(GeoStateSerializer.Deserialize<TState>(since)));

    public override byte[] Join(byte[] state, byte[] delta) =>
        GeoStateSerializer.Serialize(GeoStateSerializer.Deserialize<TState>(state).MergeDelta(GeoStateSerializer.Deserialize<TDelta>(delta)));
}
