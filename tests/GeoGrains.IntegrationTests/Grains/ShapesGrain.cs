using System.Collections.Immutable;
using Orleans.Concurrency;

namespace GeoGrains.IntegrationTests.Grains;

/// <summary>Methods a geo grain inherits from a base grain interface.</summary>
public interface IShapesBaseGrain : IGrainWithStringKey
{
    Task<Tagged<string>> InheritedWrite(string value);

    [ReadOnly]
    Task<RegionId> InheritedRead();
}

/// <summary>One method of every shape a grain interface may have; every write records where it ran.</summary>
public interface IShapesGrain : IShapesBaseGrain
{
    Task<Tagged<T>> Echo<T>(T value);

    [ReadOnly]
    Task<Tagged<T>> Peek<T>(T value);

    ValueTask<Tagged<string>> ValueTaskWithResult(string value);

    ValueTask ValueTaskWrite(string value);

    Task TaskWrite(string value);

    /// <summary>Says whether the token it got can be cancelled and is cancelled.</summary>
    Task<TokenSeen> WriteWithToken(string value, CancellationToken cancellationToken);

    /// <summary>Records that it started, waits until <paramref name="cancellationToken"/> is cancelled, then records that.</summary>
    Task WaitForCancellation(string id, CancellationToken cancellationToken);

    Task FailWithInvalidOperation(string message);

    Task<int> FailWithCustomException(string value);

    [ReadOnly]
    Task<ShapesView> Get();
}

[GenerateSerializer, Immutable]
public sealed record Tagged<T>([property: Id(0)] RegionId Region, [property: Id(1)] T Value);

[GenerateSerializer, Immutable]
public sealed record TokenSeen([property: Id(0)] RegionId Region, [property: Id(1)] bool CanBeCanceled, [property: Id(2)] bool IsCancellationRequested);

[GenerateSerializer, Immutable]
public sealed record ShapesView([property: Id(0)] RegionId ServedBy, [property: Id(1)] ImmutableArray<string> Log);

/// <summary>Thrown by the owner; carries a value of its own so that the caller can tell it arrived whole.</summary>
[GenerateSerializer]
public sealed class ShapeRejectedException : Exception
{
    public ShapeRejectedException(string value, string message)
        : base(message)
    {
        Value = value;
    }

    [Id(0)]
    public string Value { get; }
}

public sealed record ShapesState(ImmutableList<string> Log)
{
    public ShapesState() : this(ImmutableList<string>.Empty)
    {
    }
}

[GeoGrain]
public sealed class ShapesGrain : GeoGrain<ShapesState>, IShapesGrain
{
    public async Task<Tagged<string>> InheritedWrite(string value)
    {
        await Record($"inherited:{value}");
        return new Tagged<string>(Region, value);
    }

    public Task<RegionId> InheritedRead() => Task.FromResult(Region);

    public async Task<Tagged<T>> Echo<T>(T value)
    {
        await Record($"echo<{typeof(T).Name}>:{value}");
        return new Tagged<T>(Region, value);
    }

    public Task<Tagged<T>> Peek<T>(T value) => Task.FromResult(new Tagged<T>(Region, value));

    public async ValueTask<Tagged<string>> ValueTaskWithResult(string value)
    {
        await Record($"valuetask-result:{value}");
        return new Tagged<string>(Region, value);
    }

    public async ValueTask ValueTaskWrite(string value) => await Record($"valuetask:{value}");

    public Task TaskWrite(string value) => Record($"task:{value}");

    public async Task<TokenSeen> WriteWithToken(string value, CancellationToken cancellationToken)
    {
        await Record($"token:{value}");
        return new TokenSeen(Region, cancellationToken.CanBeCanceled, cancellationToken.IsCancellationRequested);
    }

    public async Task WaitForCancellation(string id, CancellationToken cancellationToken)
    {
        await Record($"started:{id}");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await Record($"cancelled:{id}");
            throw;
        }
    }

    public Task FailWithInvalidOperation(string message) => throw new InvalidOperationException($"{message} (in {Region})");

    public Task<int> FailWithCustomException(string value) => throw new ShapeRejectedException(value, $"rejected '{value}' in {Region}");

    public Task<ShapesView> Get() => Task.FromResult(new ShapesView(Region, [.. State.Log]));

    private Task Record(string entry) => Update(s => s with { Log = s.Log.Add($"{entry}@{Region}") });
}
