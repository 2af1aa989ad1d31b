using Orleans.Serialization.Invocation;

namespace GeoGrains.Calls;

/// <summary>
/// A geo grain call's response with what served it. Orleans' <c>RequestContext</c> does not flow back with responses,
/// so the serving silo wraps the response, and the caller's <see cref="GeoCallContextFilter"/> unwraps it. It answers
/// like the response it wraps, so a caller that did not unwrap it still gets the call's result.
/// </summary>
[GenerateSerializer, Alias("geograins.response")]
internal sealed class GeoResponse : Response
{
    public GeoResponse(Response inner, GeoCallInfo info)
    {
        Inner = inner;
        Info = info;
    }

    [Id(0)]
    public Response Inner { get; set; }

    [Id(1)]
    public GeoCallInfo Info { get; set; }

    public override object? Result
    {
        get => Inner.Result;
        set => Inner.Result = value;
    }

    public override Exception? Exception
    {
        get => Inner.Exception;
        set => Inner.Exception = value;
    }

    public override T GetResult<T>() => Inner.GetResult<T>()!;

    public override void Dispose() => Inner.Dispose();
}
