using System.Collections.Concurrent;
using GeoGrains.Runtime.Replication;
using Orleans.Metadata;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// Which grain types' versions can ship as deltas: active-active grains with <see cref="ConflictPolicy.Crdt"/> whose
/// state is an <see cref="Crdts.IDeltaCrdt{TSelf, TDelta}"/>. Found once per grain type, when a version of it is
/// first shipped or received on this silo.
/// </summary>
internal sealed class StateDeltas(Func<GrainType, Type?> grainClassOf)
{
    /// <summary>Finds grain classes in Orleans' map of this silo's grain types.</summary>
    public StateDeltas(GrainClassMap classes)
        : this(type => classes.TryGetGrainClass(type, out var grainClass) ? grainClass : null)
    {
    }

    private readonly ConcurrentDictionary<GrainType, StateDelta?> _byType = new();

    /// <summary>The delta codec of <paramref name="grain"/>'s state, or <see langword="null"/> when its versions ship whole.</summary>
    public StateDelta? For(GrainId grain) => _byType.GetOrAdd(grain.Type, Find);

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

    private StateDelta? Find(GrainType type)
    {
        if (grainClassOf(type) is not { } grainClass
            || grainClass.GetCustomAttributes(typeof(GeoGrainAttribute), inherit: false) is not [GeoGrainAttribute { Writers: GeoWriters.AnyRegion, Conflicts: ConflictPolicy.Crdt }])
        {
            return null;
        }

        return ActiveActiveRules.StateOf(grainClass) is { } state ? StateDelta.For(state) : null;
    }
}
