namespace GeoGrains.Tests.Histories;

/// <summary>Histories survive being written as JSON lines and read back, and a broken file says which line is wrong.</summary>
public sealed class HistoryJsonTests
{
    private static readonly HistoryOperation[] History =
    [
        new("p1", "grain/1", "write", "v1", null, 0, 1_500, OperationStatus.Ok, "eu-west"),
        new("p2", "grain/1", "read", null, "v1", 1_000, 2_000, OperationStatus.Ok),
        new("p3", "grain/2", "write", "v\"2\"\n", null, 2_500, 9_000, OperationStatus.Fail, "RegionStorageException: refused"),
        new("p4", "grain/2", "write", "v3", null, 3_000, null, OperationStatus.Unknown, "TimeoutException: no answer in 5 s"),
        new("p5", "grain/2", "read", null, "", long.MaxValue - 1, long.MaxValue, OperationStatus.Ok),
    ];

    [Fact]
    public void A_history_round_trips_through_json_lines_one_camel_case_object_per_line()
    {
        var text = HistoryJson.ToJsonLines(History);

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(History.Length, lines.Length);
        Assert.Equal(
            """{"process":"p1","key":"grain/1","name":"write","input":"v1","output":null,"invokeTime":0,"completeTime":1500,"status":"ok","detail":"eu-west"}""",
            lines[0]);
        Assert.Contains("\"status\":\"fail\"", lines[2]);
        Assert.Contains("\"status\":\"unknown\"", lines[3]);
        Assert.Contains("\"completeTime\":null", lines[3]);
        Assert.Equal(History, HistoryJson.FromJsonLines(text));
    }

    [Fact]
    public void A_history_file_round_trips_and_tolerates_blank_lines_and_crlf()
    {
        var path = Path.Combine(Path.GetTempPath(), "geo-histories-" + Guid.NewGuid().ToString("N"), "history.jsonl");
        HistoryJson.WriteFile(path, History);
        Assert.Equal(History, HistoryJson.ReadFile(path));
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);

        var windows = "\r\n" + HistoryJson.ToJsonLines(History).Replace("\n", "\r\n") + "\r\n";
        Assert.Equal(History, HistoryJson.FromJsonLines(windows));
    }

    [Theory]
    [InlineData("""{"key":"k","name":"read","input":null,"output":"1","invokeTime":0,"completeTime":1,"status":"ok"}""", "'process'")]
    [InlineData("""{"process":null,"key":"k","name":"read","input":null,"output":"1","invokeTime":0,"completeTime":1,"status":"ok"}""", "process")]
    [InlineData("""{"process":"p","key":"k","name":"read","input":null,"invokeTime":0,"completeTime":1,"status":"ok"}""", "'output'")]
    [InlineData("""{"process":"p","key":"k","name":"read","input":null,"output":"1","completeTime":1,"status":"ok"}""", "'invokeTime'")]
    [InlineData("""{"process":"p","key":"k","name":"read","input":null,"output":"1","invokeTime":0,"completeTime":1}""", "'status'")]
    [InlineData("""{"process":"p","key":"k","name":"read","input":null,"output":"1","invokeTime":0,"completeTime":1,"status":"info"}""", "$.status")]
    [InlineData("""{"process":"p","key":"k","name":"read","input":null,"output":"1","invokeTime":0,"completeTime":1,"status":1}""", "$.status")]
    [InlineData("""{"process":"p","key":"k","name":"read","input":null,"output":"1","invokeTime":0,"completeTime":null,"status":"ok"}""", "no complete time")]
    [InlineData("""{"process":"p","key":"k","name":"read","input":null,"output":"1","invokeTime":5,"completeTime":1,"status":"ok"}""", "before its invoke")]
    [InlineData("""not json""", "is not an operation")]
    [InlineData("""null""", "is 'null'")]
    public void A_bad_line_is_refused_naming_its_number_and_problem(string badLine, string problem)
    {
        var text = HistoryJson.ToJson(History[0]) + "\n" + badLine + "\n";

        var error = Assert.Throws<InvalidDataException>(() => HistoryJson.FromJsonLines(text));

        Assert.StartsWith("History line 2", error.Message);
        Assert.Contains(problem, error.Message);
    }
}
