
namespace GeoGrains.Tests.Histories;

/// <summary>The recorder times and classifies operations as a workload runs, from many threads at once.</summary>
public sealed class HistoryRecorderTests
{
    private sealed class RefusedException() : Exception("refused before any effect");

    [Fact]
    public void Each_way_an_operation_can_end_is_recorded_with_its_times()
    {
        var recorder = new HistoryRecorder();

        var written = recorder.Invoke("p1", "k", "write", "1").Ok(detail: "eu-west");
        var read = recorder.Invoke("p2", "k", "read").Ok("1");
        var refused = recorder.Invoke("p3", "k", "write", "2").Fail("storage refused");
        var timedOut = recorder.Invoke("p4", "k", "write", "3").Unknown("timed out");

        Assert.Equal(new HistoryOperation("p1", "k", "write", "1", null, written.InvokeTime, written.CompleteTime, OperationStatus.Ok, "eu-west"), written);
        Assert.Equal(("1", OperationStatus.Ok), (read.Output, read.Status));
        Assert.Equal((OperationStatus.Fail, "storage refused"), (refused.Status, refused.Detail));
        Assert.Equal((OperationStatus.Unknown, null, "timed out"), (timedOut.Status, timedOut.CompleteTime, timedOut.Detail));
        Assert.True(written.CompleteTime <= read.InvokeTime && read.CompleteTime <= refused.InvokeTime && refused.CompleteTime <= timedOut.InvokeTime);
        Assert.Equal([written, read, refused, timedOut], recorder.Operations);
    }

    [Fact]
    public void An_operation_ends_once_and_one_still_in_flight_is_taken_as_unknown()
    {
        var recorder = new HistoryRecorder();
        var pending = recorder.Invoke("p1", "k", "write", "1");

        var inFlight = Assert.Single(recorder.Operations);
        Assert.Equal((OperationStatus.Unknown, null, pending.InvokeTime), (inFlight.Status, inFlight.CompleteTime, inFlight.InvokeTime));

        pending.Ok();
        Assert.Equal(OperationStatus.Ok, Assert.Single(recorder.Operations).Status);
        Assert.Contains("already complete", Assert.Throws<InvalidOperationException>(() => pending.Unknown("late timeout")).Message);
    }

    [Fact]
    public async Task Recorded_operations_are_classified_by_how_they_end()
    {
        var recorder = new HistoryRecorder();
        static bool Refused(Exception e) => e is RefusedException;

        var read = await recorder.RecordAsync("p1", "k", "read", null, () => Task.FromResult<string?>("7"), Refused);
        var write = await recorder.RecordAsync("p1", "k", "write", "8", () => Task.CompletedTask, Refused);
        var refused = await recorder.RecordAsync("p1", "k", "write", "9", () => throw new RefusedException(), Refused);
        var timedOut = await recorder.RecordAsync("p1", "k", "write", "10", async () =>
        {
            await Task.Yield();
            throw new TimeoutException("no answer");
        }, Refused);
        var noPredicate = await recorder.RecordAsync("p1", "k", "write", "11", () => throw new RefusedException());

        Assert.Equal((OperationStatus.Ok, "7"), (read.Status, read.Output));
        Assert.Equal((OperationStatus.Ok, null, "8"), (write.Status, write.Output, write.Input));
        Assert.Equal((OperationStatus.Fail, "RefusedException: refused before any effect"), (refused.Status, refused.Detail));
        Assert.Equal((OperationStatus.Unknown, null, "TimeoutException: no answer"), (timedOut.Status, timedOut.CompleteTime, timedOut.Detail));
        Assert.Equal(OperationStatus.Unknown, noPredicate.Status);
        Assert.Equal(5, recorder.Operations.Count);
    }

    [Fact]
    public async Task A_history_recorded_from_many_threads_against_a_locked_register_is_complete_and_linearizable()
    {
        var recorder = new HistoryRecorder();
        var gate = new object();
        var values = new Dictionary<string, string>();
        const int Processes = 8;
        const int OperationsEach = 150;

        await Task.WhenAll(Enumerable.Range(0, Processes).Select(p => Task.Run(async () =>
        {
            var random = new Random(p);
            for (var i = 0; i < OperationsEach; i++)
            {
                var key = $"k{random.Next(3)}";
                if (random.Next(2) == 0)
                {
                    var value = $"p{p}-{i}";
                    await recorder.RecordAsync($"p{p}", key, "write", value, async () =>
                    {
                        await Task.Yield();
                        lock (gate)
                        {
                            values[key] = value;
                        }
                    });
                }
                else
                {
                    await recorder.RecordAsync($"p{p}", key, "read", null, async () =>
                    {
                        await Task.Yield();
                        lock (gate)
                        {
                            return values.GetValueOrDefault(key);
                        }
                    });
                }
            }
        })));

        var history = recorder.Operations;
        Assert.Equal(Processes * OperationsEach, history.Count);
        Assert.All(history, o => Assert.Equal(OperationStatus.Ok, o.Status));
        Assert.Equal(history.OrderBy(o => o.InvokeTime), history);
        foreach (var process in history.GroupBy(o => o.Process))
        {
            // One process runs one operation at a time, so its operations must not overlap on the recorder's clock.
            Assert.All(process.Zip(process.Skip(1)), pair => Assert.True(pair.First.CompleteTime <= pair.Second.InvokeTime));
        }

        var path = Path.Combine(Path.GetTempPath(), "geo-histories-" + Guid.NewGuid().ToString("N") + ".jsonl");
        recorder.WriteJsonLines(path);
        var reread = HistoryJson.ReadFile(path);
        File.Delete(path);
        Assert.Equal(history, reread);
        var result = LinearizabilityChecker.CheckRegisters(reread);
        Assert.True(result.IsLinearizable, result.Explain());
        Assert.Equal(3, result.Keys.Count);
    }
}
