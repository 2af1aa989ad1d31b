namespace GeoGrains.Runtime.Storage;

/// <summary>What a keyed write's method ended with: its result, or the exception it threw after it had written.</summary>
[GenerateSerializer]
internal sealed class IdempotentOutcome
{
    [Id(0)]
    public object? Result { get; set; }

    [Id(1)]
    public Exception? Exception { get; set; }
}
