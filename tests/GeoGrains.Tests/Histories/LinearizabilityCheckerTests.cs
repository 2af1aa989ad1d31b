using static GeoGrains.Tests.Histories.Ops;

namespace GeoGrains.Tests.Histories;

/// <summary>Hand-written register histories whose verdict is known: what must pass, what must be caught, and why.</summary>
public sealed class LinearizabilityCheckerTests
{
    private const OperationStatus Fail = OperationStatus.Fail;
    private const OperationStatus Unknown = OperationStatus.Unknown;

    [Fact]
    public void A_sequential_history_is_accepted_in_its_own_order()
    {
        HistoryOperation[] history =
        [
            Read("p1", null, 0, 5),
            Write("p1", "1", 10, 20),
            Read("p2", "1", 30, 40),
            Write("p2", "2", 50, 60),
            Read("p1", "2", 70, 80),
        ];

        var result = Check(history);

        Assert.True(result.IsLinearizable, result.Explain());
        Assert.Equal(history, result.For("x").Linearization);
    }

    [Fact]
    public void Overlapping_writes_and_reads_are_accepted_when_some_order_fits_their_intervals()
    {
        // Only the order write 2, read 2, write 1, read 1 explains this; it needs write 1 to take effect late in its interval.
        var result = Check(
            Write("p1", "1", 0, 100),
            Write("p2", "2", 10, 90),
            Read("p3", "2", 20, 30),
            Read("p3", "1", 40, 50),
            Read("p4", null, 0, 15));

        Assert.True(result.IsLinearizable, result.Explain());
        Assert.Equal(["p4 read", "p2 write", "p3 read", "p1 write", "p3 read"],
            result.For("x").Linearization.Select(o => $"{o.Process} {o.Name}"));
    }

    [Fact]
    public void A_read_of_the_value_that_a_completed_write_overwrote_is_rejected()
    {
        var stale = Read("p3", "1", 40, 50);
        var result = Check(Write("p1", "1", 0, 10), Write("p2", "2", 20, 30), stale);

        Assert.Equal(CheckOutcome.NotLinearizable, result.Outcome);
        var key = result.For("x");
        Assert.Equal(["1", "2"], key.Linearization.Select(o => o.Input));
        Assert.Contains($"{stale}: impossible in state \"2\"", key.Explanation);

        // The same read overlapping the second write may still see the old value.
        Assert.True(Check(Write("p1", "1", 0, 10), Write("p2", "2", 20, 45), stale).IsLinearizable);
    }

    [Theory]
    [InlineData("7", 5)]
    [InlineData("", 20)]
    [InlineData(null, 20)]
    public void A_read_of_a_value_nobody_wrote_or_of_nothing_after_a_write_is_rejected(string? value, long invoke)
    {
        var result = Check(Write("p1", "1", 0, 10), Read("p2", value, invoke, invoke + 10));

        Assert.Equal(CheckOutcome.NotLinearizable, result.Outcome);
    }

    [Theory]
    [InlineData("p3")]
    [InlineData("p4")]
    public void Reads_one_after_the_other_that_see_the_new_value_then_the_old_are_rejected(string secondReader)
    {
        // Write 2 is in flight during both reads, so either read alone is fine; the pair goes back in time.
        HistoryOperation[] writes = [Write("p1", "1", 0, 5), Write("p2", "2", 10, 100)];

        var result = Check([.. writes, Read("p3", "2", 20, 30), Read(secondReader, "1", 40, 50)]);

        Assert.Equal(CheckOutcome.NotLinearizable, result.Outcome);
        Assert.True(Check([.. writes, Read("p3", "1", 20, 30), Read(secondReader, "2", 40, 50)]).IsLinearizable);
    }

    [Fact]
    public void Operations_whose_times_touch_count_as_concurrent_because_the_clock_cannot_order_them()
    {
        Assert.True(Check(Write("p1", "1", 0, 5), Write("p2", "2", 6, 10), Read("p3", "1", 10, 20)).IsLinearizable);
        Assert.False(Check(Write("p1", "1", 0, 5), Write("p2", "2", 6, 10), Read("p3", "1", 11, 20)).IsLinearizable);
    }

    [Fact]
    public void A_failed_write_never_explains_a_read()
    {
        HistoryOperation[] writes = [Write("p1", "1", 0, 5), Write("p2", "2", 10, 20, Fail)];

        Assert.Equal(CheckOutcome.NotLinearizable, Check([.. writes, Read("p3", "2", 30, 40)]).Outcome);
        Assert.Equal(CheckOutcome.NotLinearizable, Check([.. writes, Read("p3", "2", 15, 40)]).Outcome);
        Assert.True(Check([.. writes, Read("p3", "1", 30, 40)]).IsLinearizable);
    }

    [Fact]
    public void A_write_of_unknown_outcome_may_explain_a_read_even_long_after_its_invoke()
    {
        var result = Check(
            Write("p1", "1", 0, 5),
            Write("p2", "2", 10, null, Unknown),
            Read("p3", "1", 20, 30),
            Read("p3", "2", 1_000, 1_010));

        Assert.True(result.IsLinearizable, result.Explain());
        Assert.Equal(["write 1", "read 1", "write 2", "read 2"], result.For("x").Linearization.Select(o => $"{o.Name} {o.Input ?? o.Output}"));
    }

    [Fact]
    public void A_write_of_unknown_outcome_may_never_have_happened()
    {
        var result = Check(
            Write("p1", "1", 0, 5),
            Write("p2", "2", 10, null, Unknown),
            Read("p3", "1", 20, 30),
            Read("p3", "1", 1_000, 1_010));

        Assert.True(result.IsLinearizable, result.Explain());
        Assert.DoesNotContain(result.For("x").Linearization, o => o.Input == "2");
    }

    [Fact]
    public void A_write_of_unknown_outcome_cannot_take_effect_before_its_invoke_nor_be_undone()
    {
        Assert.Equal(CheckOutcome.NotLinearizable,
            Check(Read("p1", "1", 0, 5), Write("p2", "1", 10, null, Unknown)).Outcome);
        Assert.Equal(CheckOutcome.NotLinearizable,
            Check(Write("p1", "1", 0, 5), Write("p2", "2", 10, null, Unknown), Read("p3", "2", 20, 30), Read("p3", "1", 40, 50)).Outcome);
    }

    [Fact]
    public void Many_writes_of_unknown_outcome_that_no_read_returned_cost_nothing_and_hide_no_violation()
    {
        // Forty concurrent unknown writes would be 2^40 subsets to the search; none was read, so none matters.
        var unknown = Enumerable.Range(0, 40).Select(i => Write($"u{i}", $"lost-{i}", 10 + i, null, Unknown)).ToArray();
        var tight = new CheckOptions { MaxStatesPerKey = 10_000 };

        var fine = LinearizabilityChecker.CheckRegisters([Write("p1", "1", 0, 5), .. unknown, Read("p3", "1", 100, 110), Write("p1", "2", 120, 130), Read("p3", "2", 140, 150)], tight);
        var stale = LinearizabilityChecker.CheckRegisters([Write("p1", "1", 0, 5), .. unknown, Write("p1", "2", 120, 130), Read("p3", "1", 140, 150)], tight);

        Assert.True(fine.IsLinearizable, fine.Explain());
        Assert.Equal(CheckOutcome.NotLinearizable, stale.Outcome);
    }

    [Fact]
    public void A_read_of_unknown_outcome_constrains_nothing()
    {
        var unknownRead = new HistoryOperation("p2", "x", RegisterModel.Read, null, null, 20, null, Unknown);

        var result = Check(Write("p1", "1", 0, 5), unknownRead, Read("p3", "1", 30, 40));

        Assert.True(result.IsLinearizable, result.Explain());
        Assert.Equal(2, result.For("x").Linearization.Count);
    }

    [Fact]
    public void Each_key_is_checked_on_its_own_and_a_violation_is_reported_for_its_key_only()
    {
        var result = Check(
            Write("p1", "1", 0, 10, key: "a"),
            Read("p2", "1", 20, 30, key: "a"),
            Write("p1", "1", 0, 10, key: "b"),
            Write("p1", "2", 11, 15, key: "b"),
            Read("p2", "1", 20, 30, key: "b"),
            Read("p3", "1", 20, 30, key: "c"));

        Assert.Equal(CheckOutcome.NotLinearizable, result.Outcome);
        Assert.Equal(CheckOutcome.Linearizable, result.For("a").Outcome);
        Assert.Equal(["b", "c"], result.Failures.Select(f => f.Key));
        Assert.Contains("Key \"b\": NOT LINEARIZABLE", result.Explain());
        Assert.DoesNotContain("Key \"a\"", result.Explain());
        Assert.Throws<KeyNotFoundException>(() => result.For("d"));
    }

    [Fact]
    public void The_register_starts_at_its_configured_value_and_a_never_written_one_reads_as_null_or_empty()
    {
        Assert.True(Check(Read("p1", null, 0, 5), Read("p2", "", 10, 15)).IsLinearizable);
        var zero = new RegisterModel("0");
        Assert.True(LinearizabilityChecker.Check([Read("p1", "0", 0, 5)], zero).IsLinearizable);
        Assert.False(LinearizabilityChecker.Check([Read("p1", null, 0, 5)], zero).IsLinearizable);
    }

    [Fact]
    public void A_search_out_of_budget_is_inconclusive_and_does_not_pass()
    {
        HistoryOperation[] history = [.. Enumerable.Range(0, 8).Select(i => Write($"p{i}", $"{i}", 0, 100)), Read("r", "3", 200, 210)];
        var directory = Path.Combine(Path.GetTempPath(), "geo-histories-" + Guid.NewGuid().ToString("N"));

        var result = LinearizabilityChecker.CheckRegisters(history, new CheckOptions { MaxStatesPerKey = 5 });

        Assert.Equal(CheckOutcome.Inconclusive, result.Outcome);
        Assert.Contains("budget of 5 states", result.For("x").Explanation);
        Assert.Throws<HistoryNotLinearizableException>(() => result.EnsureLinearizable(directory));
        Assert.True(LinearizabilityChecker.CheckRegisters(history).IsLinearizable);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void Failing_keys_are_kept_as_json_lines_with_their_explanation()
    {
        var directory = Path.Combine(Path.GetTempPath(), "geo-histories-" + Guid.NewGuid().ToString("N"));
        HistoryOperation[] bad = [Write("p1", "1", 0, 10, key: "k/1"), Write("p1", "2", 11, 15, key: "k/1"), Read("p2", "1", 20, 30, key: "k/1")];
        var result = Check([.. bad, Write("p1", "1", 0, 10, key: "fine")]);

        var failure = Assert.Throws<HistoryNotLinearizableException>(() => result.EnsureLinearizable(directory));

        Assert.Equal(Path.GetFullPath(directory), failure.ArtifactDirectory);
        Assert.Contains("Key \"k/1\": NOT LINEARIZABLE", failure.Message);
        Assert.Equal(["01-k_1.jsonl", "01-k_1.txt", "summary.txt"], Directory.GetFiles(directory).Select(Path.GetFileName).Order());
        Assert.Equal(bad, HistoryJson.ReadFile(Path.Combine(directory, "01-k_1.jsonl")));
        Assert.Equal(result.For("k/1").Explanation, File.ReadAllText(Path.Combine(directory, "01-k_1.txt")));
        Directory.Delete(directory, recursive: true);

        var passing = Check(Write("p1", "1", 0, 10));
        passing.EnsureLinearizable(directory);
        Assert.Empty(passing.SaveArtifacts(directory));
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public void Malformed_operations_are_refused_with_a_message_naming_them()
    {
        var noCompletion = new HistoryOperation("p1", "x", RegisterModel.Read, null, "1", 10, null, OperationStatus.Ok);
        var backwards = Read("p1", "1", 10, 5);
        var unknownName = new HistoryOperation("p1", "x", "cas", "1", null, 0, 5, OperationStatus.Ok);

        Assert.Contains("has no complete time", Assert.Throws<InvalidDataException>(() => Check(noCompletion)).Message);
        Assert.Contains("before its invoke", Assert.Throws<InvalidDataException>(() => Check(backwards)).Message);
        Assert.Contains("not \"cas\"", Assert.Throws<InvalidDataException>(() => Check(unknownName)).Message);
    }
}
