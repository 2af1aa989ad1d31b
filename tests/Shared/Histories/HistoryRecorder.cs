using System.Diagnostics;

namespace GeoGrains.Tests.Histories;

/// <summary>
/// Records a history while a workload runs; safe to use from any number of threads. Call <see cref="Invoke"/> just
/// before issuing an operation and complete the returned <see cref="PendingOperation"/> as soon as its outcome is seen,
/// or let <see cref="RecordAsync(string, string, string, string?, Func{Task{string?}}, Func{Exception, bool}?)"/> do both.
/// </summary>
public sealed class HistoryRecorder
{
    private readonly object _gate = new();
    private readonly List<PendingOperation> _operations = [];
    private readonly long _origin = Stopwatch.GetTimestamp();

    /// <summary>Nanoseconds since this recorder was created, on the monotonic clock every operation is timed with.</summary>
    public long Now()
    {
        var ticks = Stopwatch.GetTimestamp() - _origin;
        // Split so that neither part overflows for any realistic run length or tick frequency.
        return ticks / Stopwatch.Frequency * 1_000_000_000L + ticks % Stopwatch.Frequency * 1_000_000_000L / Stopwatch.Frequency;
    }

    /// <summary>Starts an operation: its invoke time is now. Complete it with Ok, Fail or Unknown.</summary>
    public PendingOperation Invoke(string process, string key, string name, string? input = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(process);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            // Timed under the lock so that the list is in invoke order.
            var operation = new PendingOperation(this, process, key, name, input, Now());
            _operations.Add(operation);
            return operation;
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> as one recorded operation and returns its record: Ok with the returned value as
    /// output; Fail when it throws an exception <paramref name="didNotHappen"/> accepts (e.g. refused before any
    /// effect); Unknown for any other exception (a timeout may or may not have taken effect). Never throws the
    /// operation's exception: the workload reads the status.
    /// </summary>
    public async Task<HistoryOperation> RecordAsync(
        string process, string key, string name, string? input, Func<Task<string?>> operation, Func<Exception, bool>? didNotHappen = null)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var pending = Invoke(process, key, name, input);
        try
        {
            return pending.Ok(await operation());
        }
        catch (Exception exception)
        {
            var reason = $"{exception.GetType().Name}: {exception.Message}";
            return didNotHappen?.Invoke(exception) == true ? pending.Fail(reason) : pending.Unknown(reason);
        }
    }

    /// <summary>As the other overload, for an operation without output (a write).</summary>
    public Task<HistoryOperation> RecordAsync(
        string process, string key, string name, string? input, Func<Task> operation, Func<Exception, bool>? didNotHappen = null)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return RecordAsync(process, key, name, input, async () =>
        {
            await operation();
            return null;
        }, didNotHappen);
    }

    /// <summary>
    /// A snapshot of the history in invoke order. An operation still in flight is in it as Unknown, because it may
    /// already have taken effect.
    /// </summary>
    public IReadOnlyList<HistoryOperation> Operations
    {
        get
        {
            lock (_gate)
            {
                return _operations.Select(operation => operation.Record ?? operation.InFlight()).ToArray();
            }
        }
    }

    /// <summary>Writes <see cref="Operations"/> to <paramref name="path"/> as JSON lines.</summary>
    public void WriteJsonLines(string path) => HistoryJson.WriteFile(path, Operations);

    internal HistoryOperation Complete(PendingOperation operation, string? output, OperationStatus status, string? detail)
    {
        lock (_gate)
        {
            if (operation.Record is { } done)
            {
                throw new InvalidOperationException($"Operation {done} is already complete; it cannot also end as {status}.");
            }

            var record = new HistoryOperation(
                operation.Process, operation.Key, operation.Name, operation.Input, output, operation.InvokeTime,
                status == OperationStatus.Unknown ? null : Now(), status, detail);
            operation.Record = record;
            return record;
        }
    }
}
