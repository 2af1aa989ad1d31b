using System.Reflection;
using Orleans.Serialization.Invocation;

namespace GeoGrains.Tests.Writes;

/// <summary>A call to a grain as an incoming call filter sees it: invoking it runs <paramref name="method"/>, whose result becomes the call's.</summary>
internal sealed class TestCall(TestActivation grain, Func<Task<object?>> method) : IIncomingGrainCallContext
{
    public int Invocations { get; private set; }

    public object? Result { get; set; }

    public Response? Response { get; set; }

    public IInvokable Request => throw new NotSupportedException("the write turn does not read the request");

    public object Grain => grain;

    public GrainId? SourceId => null;

    public GrainId TargetId => grain.GrainId;

    public GrainInterfaceType InterfaceType => default;

    public string InterfaceName => "ICounterGrain";

    public string MethodName => "Increment";

    public MethodInfo InterfaceMethod => throw new NotSupportedException();

    public MethodInfo ImplementationMethod => throw new NotSupportedException();

    public IGrainContext TargetContext => throw new NotSupportedException();

    public IGrainContext? SourceContext => null;

    public async Task Invoke()
    {
        Invocations++;
        Result = await method();
    }
}
