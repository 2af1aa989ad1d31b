using System.Collections.Concurrent;
using System.Reflection;
using GeoGrains.Runtime.Hosting;
using GeoGrains.Runtime.Links;
using GeoGrains.Runtime.Ownership;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace GeoGrains.Runtime.Consistency;

/// <summary>
/// Routes every call to a geo grain: <c>[ReadOnly]</c> methods run on the local activation (a replica outside the owner
/// region, refreshed from the region's replica store); any other method runs only in the owner region, so a call
/// arriving elsewhere is forwarded there over the links and its result returned to the caller.
/// </summary>
internal sealed class GeoCallRouter(LocalRegion region, OwnershipCache ownership, IRegionLinks links) : IIncomingGrainCallFilter
{
    // A forwarded call names the epoch the sender routed by, so that a receiver with an older directory copy refreshes it.
    private const string EpochHint = "geograins.epoch";
    private const string HopCount = "geograins.hops";
    private const int MaxHops = 3;

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

        var hint = RequestContext.Get(EpochHint) as long? ?? 0;
        var hops = RequestContext.Get(HopCount) as int? ?? 0;
        RequestContext.Remove(EpochHint);
        RequestContext.Remove(HopCount);

        if (ReadOnlyMethods.GetOrAdd(context.InterfaceMethod, static m => m.GetCustomAttribute<ReadOnlyAttribute>() is not null))
        {
            grain.RefreshFromStore();
            await context.Invoke();
            return;
        }

        var owner = await ownership.ResolveAsync(context.TargetId, grain.Registration.Partition, hint);
        if (owner.Owner == region.Id)
        {
            await grain.AcquireWriteLockAsync();
            try
            {
                // Ownership may have moved while this write waited behind others or a hand-off.
                owner = await ownership.ResolveAsync(context.TargetId, grain.Registration.Partition, hint);
                if (owner.Owner == region.Id)
                {
                    grain.BeginWrite(owner);
                    try
                    {
                        await context.Invoke();
                    }
                    finally
                    {
                        grain.EndWrite();
                    }

                    return;
                }
            }
            finally
            {
                grain.ReleaseWriteLock();
            }
        }

        if (hops >= MaxHops)
        {
            throw new GeoGrainsException(
                $"Write to geo grain '{context.TargetId}' was forwarded {hops} times without reaching its owner; the regions' directories disagree (this region says '{owner.Owner}', epoch {owner.Epoch}).");
        }

        RequestContext.Set(EpochHint, owner.Epoch);
        RequestContext.Set(HopCount, hops + 1);

        try
        {
            context.Result = await links.InvokeAsync(owner.Owner, grains => ForwardAsync(grains, context));
        }
        finally
        {
            RequestContext.Remove(EpochHint);
            RequestContext.Remove(HopCount);
        }
    }

    private static async Task<object?> ForwardAsync(IGrainFactory grains, IIncomingGrainCallContext context)
    {
        var target = grains.GetGrain(context.TargetId, context.InterfaceType);
        var arguments = new object?[context.Request.GetArgumentCount()];
        for (var i = 0; i < arguments.Length; i++)
        {
            arguments[i] = context.Request.GetArgument(i);
        }

        object? returned;
        try
        {
            returned = context.InterfaceMethod.Invoke(target, arguments);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception.InnerException);
            throw;
        }

        return await AwaitResult(returned);
    }

    private static async Task<object?> AwaitResult(object? returned)
    {
        switch (returned)
        {
            case null:
                return null;
            case Task task:
                await task;
                return ResultOf(task);
            case ValueTask valueTask:
                await valueTask;
                return null;
            default:
                var type = returned.GetType();
                if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>))
                {
                    var asTask = (Task)type.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(returned, null)!;
                    await asTask;
                    return ResultOf(asTask);
                }

                return returned;
        }
    }

    private static object? ResultOf(Task task)
    {
        var type = task.GetType();
        return type.IsGenericType && type.GetGenericArguments()[0].Name != "VoidTaskResult"
            ? type.GetProperty(nameof(Task<int>.Result))!.GetValue(task)
            : null;
    }
}
