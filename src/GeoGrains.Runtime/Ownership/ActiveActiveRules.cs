using System.Reflection;
using GeoGrains.Crdts;

namespace GeoGrains.Runtime.Ownership;

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

        var state = StateOf(grainClass) ?? throw new GeoGrainNotRegisteredException(name, "it does not derive from GeoGrain<TState>.");
        switch (declared.Conflicts)
        {
            case ConflictPolicy.Crdt when CrdtInterfaceOf(state) is null:
                throw new GeoGrainNotRegisteredException(name, $"its conflict policy is Crdt, but its state {state.Name} does not implement ICrdt<{state.Name}>.");
            case ConflictPolicy.Custom when !OverridesMerge(grainClass):
                throw new GeoGrainNotRegisteredException(name, "its conflict policy is Custom, but it does not override MergeConcurrent(later, earlier).");
            case ConflictPolicy.LastWriterWins or ConflictPolicy.Crdt or ConflictPolicy.Custom:
                break;
            default:
                throw new GeoGrainNotRegisteredException(name, $"its conflict policy {declared.Conflicts} is not one of LastWriterWins, Crdt, Custom.");
        }
    }

    /// <summary>The <c>TState</c> of <paramref name="grainClass"/>'s <c>GeoGrain&lt;TState&gt;</c> base, if it has one.</summary>
    internal static Type? StateOf(Type grainClass) => GeoGrainBaseOf(grainClass)?.GetGenericArguments()[0];

    /// <summary><c>ICrdt&lt;<paramref name="state"/>&gt;</c> if <paramref name="state"/> implements it (asked without constructing it: the constraint would throw).</summary>
    internal static Type? CrdtInterfaceOf(Type state) =>
        state.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICrdt<>) && i.GetGenericArguments()[0] == state);

    // GeoGrain<TState> is the first class up the chain that implements IGeoGrainOf<TState> (its base, Grain, does not).
    // Found by the marker, so that registration does not name the grain base that sits on top of the runtime.
    private static Type? GeoGrainBaseOf(Type grainClass)
    {
        Type? found = null;
        for (var type = grainClass; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IGeoGrainOf<>)))
            {
                found = type;
            }
        }

        return found;
    }

    // Only an override of GeoGrain<TState>'s virtual MergeConcurrent(later, earlier) is ever called: a method of that
    // name that merely hides it or overloads it is not one, and several such methods must not make the lookup ambiguous.
    private static bool OverridesMerge(Type grainClass)
    {
        var geoGrain = GeoGrainBaseOf(grainClass);
        return grainClass.GetMethods(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public).Any(method =>
            method.Name == "MergeConcurrent"
            && method.DeclaringType != geoGrain
            && method.GetBaseDefinition().DeclaringType == geoGrain);
    }
}
