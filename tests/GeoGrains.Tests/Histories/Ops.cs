namespace GeoGrains.Tests.Histories;

/// <summary>Short hand for hand-written register histories: times are plain numbers, the key is "x" unless given.</summary>
internal static class Ops
{
    public static HistoryOperation Write(string process, string value, long invoke, long? complete, OperationStatus status = OperationStatus.Ok, string key = "x") =>
        new(process, key, RegisterModel.Write, value, null, invoke, status == OperationStatus.Unknown ? null : complete, status);

    public static HistoryOperation Read(string process, string? value, long invoke, long complete, string key = "x") =>
        new(process, key, RegisterModel.Read, null, value, invoke, complete, OperationStatus.Ok);

    public static CheckResult Check(params HistoryOperation[] history) => LinearizabilityChecker.CheckRegisters(history);
}
