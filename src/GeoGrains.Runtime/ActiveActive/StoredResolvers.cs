using System.Collections.Concurrent;
using System.Reflection;
using GeoGrains.Runtime.Consistency;
using GeoGrains.Runtime.Topology;
using Orleans.Metadata;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>
/// Which active-active grain types the replication receiver resolves itself, from the stored record and the incoming
/// one, without activating the grain: a resolution by <see cref="ConflictPolicy.LastWriterWins"/> or
/// <see cref="ConflictPolicy.Crdt"/> depends on the two records only (and on the state type's join), wherever it is
/// computed. A <see cref="ConflictPolicy.Custom"/> merge is the grain's own code, so it runs in the grain's activation, as
/// does any type this cannot look up or whose declaration does not fit (its activation then names the problem).
/// Looked up once per grain type.
/// </summary>
internal sealed class StoredResolvers(GrainClassMap classes, GeoTopology topology)
{
    private readonly ConcurrentDictionary<GrainType, StoredResolver?> _types = new();

    /// <summary>How to resolve versions of <paramref name="grain"/> without its activation, or <see langword="null"/> when only the activation can.</summary>
    public StoredResolver? For(GrainId grain) => _types.GetOrAdd(grain.Type, Find);

    private StoredResolver? Find(GrainType type)
    {
        if (!classes.TryGetGrainClass(type, out var grainClass)
            || grainClass.GetCustomAttribute<GeoGrainAttribute>(inherit: false) is not { Writers: GeoWriters.AnyRegion } declared)
        {
            return null;
        }

        Type state;
        try
        {
            var name = grainClass.FullName ?? grainClass.Name;
            ActiveActiveRules.Check(grainClass, declared, ConsistencyRules.DefaultsOf(declared, name, topology.RegionIds.Count()).Reads);
            state = ActiveActiveRules.StateOf(grainClass) ?? throw new GeoGrainNotRegisteredException(name, "it does not derive from GeoGrain<TState>.");
        }
        catch (Exception exception) when (exception is GeoGrainNotRegisteredException or InvalidConsistencyException)
        {
            return null;
        }

        return declared.Conflicts switch
        {
            ConflictPolicy.LastWriterWins => new StoredResolver(ConflictPolicy.LastWriterWins, null),
            ConflictPolicy.Crdt => new StoredResolver(ConflictPolicy.Crdt,
                typeof(CrdtMerge<>).MakeGenericType(state).GetMethod(nameof(CrdtMerge<object>.MergeStored))!.CreateDelegate<Func<byte[], byte[], byte[]>>()),
            _ => null,
        };
    }
}

/// <summary>A grain type's conflict policy and, for <see cref="ConflictPolicy.Crdt"/>, the join of two stored states (later first).</summary>
internal sealed record StoredResolver(ConflictPolicy Policy, Func<byte[], byte[], byte[]>? Merge);
