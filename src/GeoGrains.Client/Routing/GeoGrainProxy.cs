using System.Collections.Concurrent;
using System.Reflection;
using Orleans.Concurrency;

namespace GeoGrains.Client.Routing;

/// <summary>
/// The grain reference the region-aware client hands the app: implements the grain interface and sends each call
/// through <see cref="GeoCallInvoker"/>, which resolves the grain in whichever region serves the call.
/// </summary>
/// <remarks>Not sealed: <see cref="DispatchProxy"/> derives the proxy type from it at run time.</remarks>
internal class GeoGrainProxy : DispatchProxy
{
    private static readonly ConcurrentDictionary<MethodInfo, MethodPlan> Plans = new();
    private static readonly MethodInfo TaskOfT = typeof(GeoGrainProxy).GetMethod(nameof(InvokeTaskOf), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo ValueTaskOfT = typeof(GeoGrainProxy).GetMethod(nameof(InvokeValueTaskOf), BindingFlags.NonPublic | BindingFlags.Static)!;

    private GeoCallInvoker? _invoker;
    private Func<IGrainFactory, object>? _resolve;
    private string _grain = string.Empty;

    /// <summary>A proxy of <paramref name="grainInterface"/> whose calls resolve the grain with <paramref name="resolve"/> in the serving region.</summary>
    public static object Create(Type grainInterface, GeoCallInvoker invoker, Func<IGrainFactory, object> resolve, string grain)
    {
        var proxy = (GeoGrainProxy)Create(grainInterface, typeof(GeoGrainProxy));
        proxy._invoker = invoker;
        proxy._resolve = resolve;
        proxy._grain = grain;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var plan = Plans.GetOrAdd(targetMethod, Plan);
        return plan.Dispatch(this, new GeoCall(plan.Name, _grain, plan.IsReadOnly, targetMethod.DeclaringType), targetMethod, args);
    }

    public override string ToString() => $"GeoGrains region-aware reference to {_grain}";

    private object Target(IGrainFactory factory) => _resolve!(factory);

    private static object? Send(object target, MethodInfo method, object?[]? args) =>
        method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null);

    private static MethodPlan Plan(MethodInfo method)
    {
        var name = $"{method.DeclaringType?.Name}.{method.Name}";
        var isReadOnly = method.GetCustomAttribute<ReadOnlyAttribute>() is not null;
        var returns = method.ReturnType;
        Func<GeoGrainProxy, GeoCall, MethodInfo, object?[]?, object?> dispatch;
        if (returns == typeof(Task))
        {
            dispatch = static (proxy, call, method, args) => proxy._invoker!.InvokeAsync<object?>(call, async factory =>
            {
                await (Task)Send(proxy.Target(factory), method, args)!;
                return null;
            });
        }
        else if (returns == typeof(ValueTask))
        {
            dispatch = static (proxy, call, method, args) => new ValueTask(proxy._invoker!.InvokeAsync<object?>(call, async factory =>
            {
                await (ValueTask)Send(proxy.Target(factory), method, args)!;
                return null;
            }));
        }
        else if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>))
        {
            dispatch = TaskOfT.MakeGenericMethod(returns.GetGenericArguments()[0]).CreateDelegate<Func<GeoGrainProxy, GeoCall, MethodInfo, object?[]?, object?>>();
        }
        else if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            dispatch = ValueTaskOfT.MakeGenericMethod(returns.GetGenericArguments()[0]).CreateDelegate<Func<GeoGrainProxy, GeoCall, MethodInfo, object?[]?, object?>>();
        }
        else
        {
            dispatch = static (_, call, _, _) => throw new NotSupportedException(
                $"{call.Name} returns neither Task nor ValueTask; the region-aware client routes only awaitable grain calls (use IGeoClient's current region for others).");
        }

        return new MethodPlan(name, isReadOnly, dispatch);
    }

    private static object? InvokeTaskOf<T>(GeoGrainProxy proxy, GeoCall call, MethodInfo method, object?[]? args) =>
        proxy._invoker!.InvokeAsync(call, factory => (Task<T>)Send(proxy.Target(factory), method, args)!);

    private static object? InvokeValueTaskOf<T>(GeoGrainProxy proxy, GeoCall call, MethodInfo method, object?[]? args) =>
        new ValueTask<T>(proxy._invoker!.InvokeAsync(call, factory => ((ValueTask<T>)Send(proxy.Target(factory), method, args)!).AsTask()));

    private sealed record MethodPlan(string Name, bool IsReadOnly, Func<GeoGrainProxy, GeoCall, MethodInfo, object?[]?, object?> Dispatch);
}
