namespace GeoGrains.Tests.Histories;

/// <summary>
/// A read/write register: "write" sets the value to its input; "read" returns the current value. A register never
/// written holds <see cref="InitialValue"/>; when that is null ("never written") a read of it may return null or "".
/// </summary>
public sealed class RegisterModel(string? initialValue = null) : ISequentialModel<string?>
{
    /// <summary>The operation name that sets the value.</summary>
    public const string Write = "write";

    /// <summary>The operation name that returns the value.</summary>
    public const string Read = "read";

    /// <summary>The value before the first write; null means "never written".</summary>
    public string? InitialValue { get; } = initialValue;

    /// <inheritdoc />
    public string? Init() => InitialValue;

    /// <inheritdoc />
    public (bool Legal, string? Next) Step(string? state, HistoryOperation operation) => operation.Name switch
    {
        Write => (true, operation.Input),
        Read => (state is null ? string.IsNullOrEmpty(operation.Output) : operation.Output == state, state),
        _ => throw new InvalidDataException(
            $"The register model knows only \"{Write}\" and \"{Read}\", not \"{operation.Name}\" (operation {operation})."),
    };

    /// <inheritdoc />
    public bool IsReadOnly(HistoryOperation operation) => operation.Name == Read;

    /// <inheritdoc />
    /// <remarks>
    /// A write whose value no successful read returned: taking it out leaves every read legal, since any read it could
    /// have affected (one between it and the next write) would have returned its value.
    /// </remarks>
    public bool IsUnobserved(HistoryOperation unknown, IReadOnlyList<HistoryOperation> keyOperations) =>
        unknown.Name == Write
        && !string.IsNullOrEmpty(unknown.Input)
        && !keyOperations.Any(o => o.Status == OperationStatus.Ok && o.Name == Read && o.Output == unknown.Input);

    /// <inheritdoc />
    public string Describe(string? state) => state is null ? "never written" : $"\"{state}\"";
}
