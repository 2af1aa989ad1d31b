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
        // (extensions, management) are none of the router's business.
        var declaring = context.InterfaceMethod.DeclaringType;
        if (context.Grain is not IGeoGrainActivation grain
            || declaring is null
            || declaring == typeof(IGeoGrainControl)
            || !declaring.IsInstanceOfType(context.Grain))
        {
            await context.Invoke();
            return;
        }

        var route = GeoCallRoute.Take();
        if (ReadOnlyMethods.GetOrAdd(context.InterfaceMethod, static m => m.GetCustomAttribute<ReadOnlyAttribute>() is not null))
        {
            await context.Invoke();
            return;
        }

        await writes.RunAsync(context, grain, route);
    }
}
