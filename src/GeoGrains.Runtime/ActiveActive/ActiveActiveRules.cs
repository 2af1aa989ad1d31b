using System.Reflection;

namespace GeoGrains.Runtime.ActiveActive;

/// <summary>What an active-active grain class must be, checked when its first activation is placed.</summary>
internal static class ActiveActiveRules
{
    /// <summary>Checks <paramref name="grainClass"/>, declared with <paramref name="declared"/> and reading at <paramref name="reads"/>.</summary>
    /// <exception cref="InvalidConsistencyException">Its read level is not <see cref="ReadConsistency.Eventual"/>.</exception>
    /// <exception cref="GeoGrainNotRegisteredException">Its policy does not fit its state or its methods.</exception>
    public static void Check(Type grainClass, GeoGrainAttribute declared, GeoGrains.Consistency reads)
    {
        var name = grainClass.FullName ?? grainClass.Name;
        if (reads.Level != ReadConsistency.Eventual)
        {
            throw new InvalidConsistencyException(
                $"Geo grain '{name}' is active-active (Writers = AnyRegion): its reads are served from the local copy only, so its read level must be Eventual, not {reads.Level}.");
        }

        var state = StateOf(grainClass);
        switch (declared.Conflicts)
        {
            case ConflictPolicy.Crdt when CrdtMerge<object>.InterfaceOf(state) is null:
                throw new GeoGrainNotRegisteredException(name, $"its conflict policy is Crdt, but its state {state.Name} does not implement ICrdt<{state.Name}>.");
            case ConflictPolicy.Custom when !OverridesMerge(grainClass):
                throw new GeoGrainNotRegisteredException(name, "its conflict policy is Custom, but it does not override MergeConcurrent(later, earlier).");
            case ConflictPolicy.LastWriterWins or ConflictPolicy.Crdt or ConflictPolicy.Custom:
                break;
            default:
                throw new GeoGrainNotRegisteredException(name, $"its conflict policy {declared.Conflicts} is not one of LastWriterWins, Crdt, Custom.");
        }
    }

    /// <summary>The <c>TState</c> of a <c>GeoGrain&lt;TState&gt;</c> class.</summary>
    /// <exception cref="GeoGrainNotRegisteredException">The class does not derive from <c>GeoGrain&lt;TState&gt;</c>.</exception>
    internal static Type StateOf(Type grainClass)
    {
        for (var type = grainClass; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(GeoGrain<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        throw new GeoGrainNotRegisteredException(grainClass.FullName ?? grainClass.Name, "it does not derive from GeoGrain<TState>.");
    }

    private static bool OverridesMerge(Type grainClass) =>
        grainClass.GetMethod("MergeConcurrent", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public) is { } method
        && method.DeclaringType is { } declaring
        && !(declaring.IsGenericType && declaring.GetGenericTypeDefinition() == typeof(GeoGrain<>));
}
