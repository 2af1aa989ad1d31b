using System.Reflection;

namespace GeoGrains.Runtime.Consistency;

/// <summary>Makes the call a grain received again, on the same grain in another region, and returns its result.</summary>
internal static class CallForwarder
{
    /// <summary>Invokes <paramref name="call"/>'s method, with its arguments, on the same grain through <paramref name="remote"/>.</summary>
    public static async Task<object?> ForwardAsync(IGrainFactory remote, IIncomingGrainCallContext call)
    {
        var target = remote.GetGrain(call.TargetId, call.InterfaceType);
        var arguments = new object?[call.Request.GetArgumentCount()];
        for (var i = 0; i < arguments.Length; i++)
        {
            arguments[i] = call.Request.GetArgument(i);
        }

        object? returned;
        try
        {
            returned = call.InterfaceMethod.Invoke(target, arguments);
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
