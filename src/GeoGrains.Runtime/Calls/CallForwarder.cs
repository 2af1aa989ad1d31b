using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization.Invocation;

namespace GeoGrains.Runtime.Calls;

/// <summary>Makes the call a grain received again, on the same grain in another region, and returns its result.</summary>
/// <remarks>
/// The request is sent again (a copy of it), not re-invoked through the grain interface: the request Orleans generated
/// for the method already carries what any method shape needs (the closed type arguments of a generic method, the
/// <see cref="CancellationToken"/>, the invocation options, the interface a base-interface method belongs to), and
/// whatever the method returns, the reply is the same <see cref="Response"/>.
/// </remarks>
internal static class CallForwarder
{
    private static readonly ConcurrentDictionary<Type, ObjectFactory> RequestFactories = new();

    /// <summary>Sends <paramref name="call"/>'s request, with its arguments, to the same grain through <paramref name="remote"/>.</summary>
    /// <returns>The method's result; <see langword="null"/> for methods without one.</returns>
    /// <exception cref="NotSupportedException">The request is not one Orleans generated for a grain method.</exception>
    public static async Task<object?> ForwardAsync(IGrainFactory remote, IIncomingGrainCallContext call)
    {
        if (call.Request is not IRequest received)
        {
            throw new NotSupportedException(
                $"The call to '{call.InterfaceName}.{call.MethodName}' on geo grain '{call.TargetId}' cannot be forwarded to its owner region: its request type {call.Request.GetType()} is not a grain method request.");
        }

        // The owner's client builds and sends the request: its runtime sends cancellation, when the incoming request's
        // token fires, to the owner's activation too.
        var services = remote is IClusterClient client ? client.ServiceProvider : call.TargetContext.ActivationServices;
        var target = (GrainReference)remote.GetGrain(call.TargetId, call.InterfaceType);
        var request = Copy(received, services);
        return await services.GetRequiredService<IGrainReferenceRuntime>().InvokeMethodAsync<object>(target, request, request.Options);
    }

    // A new request rather than the received one: Orleans disposes the received request (clearing its arguments) when the
    // local call ends, which for a call cancelled or given up here can be while the forwarded request still waits in an
    // outgoing filter, unserialized. The argument objects are shared, not copied: nothing uses them here once forwarded.
    private static IRequest Copy(IRequest received, IServiceProvider services)
    {
        var factory = RequestFactories.GetOrAdd(received.GetType(), static type => ActivatorUtilities.CreateFactory(type, Type.EmptyTypes));
        var request = (IRequest)factory(services, null);
        for (var i = 0; i < received.GetArgumentCount(); i++)
        {
            request.SetArgument(i, received.GetArgument(i)!);
        }

        return request;
    }
}
