namespace GeoGrains.Tests.Histories;

/// <summary>
/// One operation of a Jepsen-style history: who (<paramref name="Process"/>) did what (<paramref name="Name"/> with
/// <paramref name="Input"/>) to which <paramref name="Key"/>, when, and how it ended.
/// </summary>
/// <param name="Process">The client that issued it; one process has at most one operation in flight.</param>
/// <param name="Key">The object it touched; the checker checks each key on its own.</param>
/// <param name="Name">What it did, e.g. "read" or "write"; the model gives it meaning.</param>
/// <param name="Input">Its argument (the written value), null for a read.</param>
/// <param name="Output">What it returned (the value read); null when there is none or it is unknown.</param>
/// <param name="InvokeTime">Nanoseconds on the history's monotonic clock when it was issued.</param>
/// <param name="CompleteTime">Nanoseconds when its outcome was seen; null when the outcome is unknown.</param>
/// <param name="Status">Whether it happened, did not, or may have.</param>
/// <param name="Detail">Free-form context: the region that served it, the error that ended it.</param>
public sealed record HistoryOperation(
    string Process,
    string Key,
    string Name,
    string? Input,
    string? Output,
    long InvokeTime,
    long? CompleteTime,
    OperationStatus Status,
    string? Detail = null)
{
    /// <summary>Throws <see cref="InvalidDataException"/> naming the problem when the record cannot be checked.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Process) || string.IsNullOrEmpty(Key) || string.IsNullOrEmpty(Name))
        {
            throw new InvalidDataException($"Operation {this} has no process, key or name.");
        }

        if (!Enum.IsDefined(Status))
        {
            throw new InvalidDataException($"Operation {this} has status {(int)Status}, which is not ok, fail or unknown.");
        }

        if (Status != OperationStatus.Unknown && CompleteTime is null)
        {
            throw new InvalidDataException($"Operation {this} is {Status} but has no complete time; only unknown operations may lack one.");
        }

        if (CompleteTime < InvokeTime)
        {
            throw new InvalidDataException($"Operation {this} completes at {CompleteTime} ns, before its invoke at {InvokeTime} ns.");
        }
    }

    /// <summary>A one-line form for explanations: <c>p1 write("3") → ok [10, 25]</c>.</summary>
    public override string ToString()
    {
        var input = Input is null ? "" : $"\"{Input}\"";
        var output = Status switch
        {
            OperationStatus.Ok => Output is null ? "ok" : $"\"{Output}\"",
            OperationStatus.Fail => "fail",
            _ => "unknown",
        };
        var complete = CompleteTime?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "∞";
        var detail = Detail is null ? "" : $" ({Detail})";
        return $"{Process} {Name}({input}) → {output} [{InvokeTime}, {complete}]{detail}";
    }
}
