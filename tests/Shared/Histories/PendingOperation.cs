namespace GeoGrains.Tests.Histories;

/// <summary>An operation <see cref="HistoryRecorder.Invoke"/> started; end it exactly once.</summary>
public sealed class PendingOperation
{
    private readonly HistoryRecorder _recorder;

    internal PendingOperation(HistoryRecorder recorder, string process, string key, string name, string? input, long invokeTime)
    {
        _recorder = recorder;
        Process = process;
        Key = key;
        Name = name;
        Input = input;
        InvokeTime = invokeTime;
    }

    /// <summary>The process that issued it.</summary>
    public string Process { get; }

    /// <summary>The key it touches.</summary>
    public string Key { get; }

    /// <summary>The operation's name.</summary>
    public string Name { get; }

    /// <summary>Its input.</summary>
    public string? Input { get; }

    /// <summary>When it was issued, in the recorder's nanoseconds.</summary>
    public long InvokeTime { get; }

    /// <summary>Its record once it is complete; written under the recorder's lock.</summary>
    internal HistoryOperation? Record { get; set; }

    /// <summary>It happened and returned <paramref name="output"/> (null for a write); <paramref name="detail"/> e.g. names the serving region.</summary>
    public HistoryOperation Ok(string? output = null, string? detail = null) => _recorder.Complete(this, output, OperationStatus.Ok, detail);

    /// <summary>It definitely did not happen; <paramref name="reason"/> says why.</summary>
    public HistoryOperation Fail(string reason) => _recorder.Complete(this, null, OperationStatus.Fail, reason);

    /// <summary>Its outcome is unknown (e.g. it timed out): it may have happened at any point after its invoke, or never.</summary>
    public HistoryOperation Unknown(string reason) => _recorder.Complete(this, null, OperationStatus.Unknown, reason);

    internal HistoryOperation InFlight() =>
        new(Process, Key, Name, Input, null, InvokeTime, null, OperationStatus.Unknown, "still in flight when the history was taken");
}
