using GeoGrains.Runtime.Ownership;
using System.Collections.Concurrent;
using System.Reflection;
using GeoGrains.Runtime.Topology;
using Orleans.Metadata;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// What this silo knows of each active-active grain type, looked up once per type from Orleans' map of grain classes:
/// its conflict policy, the join of two stored states, and whether its versions can ship as deltas. The replication
/// receiver resolves <see cref="ConflictPolicy.LastWriterWins"/> and <see cref="ConflictPolicy.Crdt"/> conflicts itself,
/// from the stored record and the incoming one, without activating the grain: such a resolution depends on the two
/// records only (and on the state type's join), wherever it is computed. A <see cref="ConflictPolicy.Custom"/> merge is
/// the grain's own code, so it runs in the grain's activation, as does any type this cannot look up or whose declaration
/// does not fit (its activation then names the problem).
/// </summary>
internal sealed class ActiveActiveTypes(Func<GrainType, Type?> grainClassOf, int regions)
{
    private readonly ConcurrentDictionary<GrainType, ActiveActiveType?> _types = new();

    /// <summary>Finds grain classes in Orleans' map of this silo's grain types.</summary>
    public ActiveActiveTypes(GrainClassMap classes, GeoTopology topology)
        : this(type => classes.TryGetGrainClass(type, out var grainClass) ? grainClass : null, topology.RegionIds.Count())
    {
    }

    /// <summary>What is known of <paramref name="grain"/>'s type, or <see langword="null"/> when it is not a well-declared active-active grain.</summary>
    public ActiveActiveType? For(GrainId grain) => _types.GetOrAdd(grain.Type, Find);

    private ActiveActiveType? Find(GrainType type)
    {
        if (grainClassOf(type) is not { } grainClass
            || grainClass.GetCustomAttribute<GeoGrainAttribute>(inherit: false) is not { Writers: GeoWriters.AnyRegion } declared)
        {
            return null;
        }

        Type state;
        try
        {
            var name = grainClass.FullName ?? grainClass.Name;
            ActiveActiveRules.Check(grainClass, declared, ConsistencyRules.DefaultsOf(declared, name, regions).Reads);
            state = ActiveActiveRules.StateOf(grainClass) ?? throw new GeoGrainNotRegisteredException(name, "it does not derive from GeoGrain<TState>.");
        }
        catch (Exception exception) when (exception is GeoGrainNotRegisteredException or InvalidConsistencyException)
        {
            return null;
        }

        return declared.Conflicts switch
        {
            ConflictPolicy.Crdt => new ActiveActiveType(
                ConflictPolicy.Crdt,
                typeof(CrdtMerge<>).MakeGenericType(state).GetMethod(nameof(CrdtMerge<object>.MergeStored))!.CreateDelegate<Func<byte[], byte[], byte[]>>(),
                StateDelta.For(state)),
            var policy => new ActiveActiveType(policy, null, null),
        };
    }
}

/// <summary>
/// An active-active grain type's conflict policy; for <see cref="ConflictPolicy.Crdt"/>, the join of two stored states
/// (later first) and, when its state is an <see cref="Crdts.IDeltaCrdt{TSelf, TDelta}"/>, its delta codec.
/// </summary>
internal sealed record ActiveActiveType(ConflictPolicy Policy, Func<byte[], byte[], byte[]>? StoredMerge, StateDelta? Delta)
{
    /// <summary>Whether a conflict is resolved from the two records alone, without the grain's activation.</summary>
    public bool ResolvesStored => Policy is ConflictPolicy.LastWriterWins or ConflictPolicy.Crdt;
}
