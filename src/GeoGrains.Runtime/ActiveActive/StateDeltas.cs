using GeoGrains.Runtime.Storage;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// Which grain types' versions can ship as deltas: well-declared active-active grains with <see cref="ConflictPolicy.Crdt"/>
/// whose state is an <see cref="Crdts.IDeltaCrdt{TSelf, TDelta}"/> (see <see cref="ActiveActiveTypes"/>).
/// </summary>
internal sealed class StateDeltas(ActiveActiveTypes types)
{
    /// <summary>The delta codec of <paramref name="grain"/>'s state, or <see langword="null"/> when its versions ship whole.</summary>
    public StateDelta? For(GrainId grain) => types.For(grain)?.Delta;

    /// <summary>
    /// The whole state of a version that arrived as <paramref name="delta"/> taken against the version of vector
    /// <paramref name="deltaBase"/>, joined into <paramref name="stored"/>; <see langword="null"/> when the stored version
    /// has not seen that one (or the type has no deltas here): then the sender must ship the whole state.
    /// </summary>
    public byte[]? TryJoin(GrainId grain, GeoRecord? stored, byte[] delta, Crdts.VersionVector deltaBase)
    {
        if (stored is null || For(grain) is not { } codec
            || ActiveActiveVersions.VectorOf(stored).Compare(deltaBase) is not (Crdts.CausalOrder.After or Crdts.CausalOrder.Equal))
        {
            return null;
        }

        try
        {
            return codec.Join(stored.State, delta);
        }
        catch (Crdts.InvalidCrdtOperationException)
        {
            return null;
        }
    }
}
