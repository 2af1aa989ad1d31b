using System.Collections.Concurrent;
using System.Reflection;
using GeoGrains.Runtime.Ownership;
using Orleans.Concurrency;

namespace GeoGrains.Runtime.Consistency;

/// <summary>
/// Sorts every call to a geo grain: <c>[ReadOnly]</c> methods run on the local activation (a replica outside the owner
/// region, kept current by the replication receiver); any other method is a write and takes the <see cref="GeoWritePath"/>.
/// </summary>
internal sealed class GeoCallRouter(GeoWritePath writes) : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<MethodInfo, bool> ReadOnlyMethods = new();

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        // Only the grain's own interfaces are routed: IGeoGrainControl is answered where it arrives, and runtime calls
        // (extensions, management) are none of the router's business. The request names the interface that declares
        // the method (a base interface for an inherited method), which the grain class implements like its own.
        if (context.Grain is not IGeoGrainActivation grain)
        {
            await context.Invoke();
            return;
        }

        var declaring = context.Request.GetInterfaceType();
        if (declaring == typeof(IGeoGrainControl) || !declaring.IsInstanceOfType(context.Grain))
        {
            await context.Invoke();
            return;
        }

        var route = GeoCallRoute.Take();
        if (IsReadOnly(context.InterfaceMethod))
        {
            await context.Invoke();
            return;
        }

        await writes.RunAsync(context, grain, route);
    }

    // A generic method arrives closed over its type arguments, and its attributes are those of its definition. A method
    // Orleans could not find (no MethodInfo) is taken as a write: running it at the owner is correct for either kind.
    private static bool IsReadOnly(MethodInfo? method) =>
        method is not null && ReadOnlyMethods.GetOrAdd(method, static m => m.GetCustomAttribute<ReadOnlyAttribute>() is not null);
}
