using System.Text;

namespace GeoGrains.Tests.Histories;

/// <summary>The verdict on a whole history: one <see cref="KeyCheckResult"/> per key.</summary>
public sealed class CheckResult
{
    internal CheckResult(IReadOnlyList<KeyCheckResult> keys)
    {
        Keys = keys;
        Outcome = keys.Any(k => k.Outcome == CheckOutcome.NotLinearizable) ? CheckOutcome.NotLinearizable
            : keys.Any(k => k.Outcome == CheckOutcome.Inconclusive) ? CheckOutcome.Inconclusive
            : CheckOutcome.Linearizable;
    }

    /// <summary>Every key's result, ordered by key.</summary>
    public IReadOnlyList<KeyCheckResult> Keys { get; }

    /// <summary>Not linearizable when any key is not; else inconclusive when any key is; else linearizable.</summary>
    public CheckOutcome Outcome { get; }

    /// <summary>Whether every key is linearizable.</summary>
    public bool IsLinearizable => Outcome == CheckOutcome.Linearizable;

    /// <summary>The keys that are not linearizable or could not be decided.</summary>
    public IReadOnlyList<KeyCheckResult> Failures => Keys.Where(k => k.Outcome != CheckOutcome.Linearizable).ToArray();

    /// <summary>The result for <paramref name="key"/>; throws <see cref="KeyNotFoundException"/> when the history never touched it.</summary>
    public KeyCheckResult For(string key) =>
        Keys.FirstOrDefault(k => k.Key == key) ?? throw new KeyNotFoundException($"The history has no operation on key \"{key}\".");

    /// <summary>A summary line, then the explanation of every failing key.</summary>
    public string Explain()
    {
        var failures = Failures;
        var text = new StringBuilder($"History of {Keys.Count} keys: {Outcome}");
        text.AppendLine(failures.Count == 0 ? "." : $" ({failures.Count} keys failing).");
        foreach (var failure in failures)
        {
            text.AppendLine().Append(failure.Explanation);
        }

        return text.ToString();
    }

    /// <summary>
    /// Writes each failing key's operations as JSON lines (<c>NN-key.jsonl</c>, readable by <see cref="HistoryJson.ReadFile"/>)
    /// and its explanation (<c>NN-key.txt</c>), plus <c>summary.txt</c>, into <paramref name="directory"/>; writes nothing
    /// when every key is linearizable. Returns the files written.
    /// </summary>
    public IReadOnlyList<string> SaveArtifacts(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var failures = Failures;
        if (failures.Count == 0)
        {
            return [];
        }

        Directory.CreateDirectory(directory);
        var files = new List<string>();
        for (var i = 0; i < failures.Count; i++)
        {
            var stem = Path.Combine(directory, $"{i + 1:D2}-{FileNamePart(failures[i].Key)}");
            HistoryJson.WriteFile(stem + ".jsonl", failures[i].Operations);
            File.WriteAllText(stem + ".txt", failures[i].Explanation);
            files.Add(stem + ".jsonl");
            files.Add(stem + ".txt");
        }

        var summary = Path.Combine(directory, "summary.txt");
        File.WriteAllText(summary, Explain());
        files.Add(summary);
        return files;
    }

    /// <summary>
    /// Does nothing when the history is linearizable; otherwise saves the artifacts to <paramref name="artifactDirectory"/>
    /// and throws <see cref="HistoryNotLinearizableException"/> with the explanation (an inconclusive check fails too).
    /// </summary>
    public void EnsureLinearizable(string artifactDirectory)
    {
        if (IsLinearizable)
        {
            return;
        }

        SaveArtifacts(artifactDirectory);
        throw new HistoryNotLinearizableException(this, Path.GetFullPath(artifactDirectory));
    }

    /// <summary>Where a test keeps its failing histories: <c>TestResults/histories/&lt;test name&gt;</c> under the test output directory.</summary>
    public static string ArtifactDirectory(string testName) =>
        Path.Combine(AppContext.BaseDirectory, "TestResults", "histories", FileNamePart(testName));

    /// <inheritdoc />
    public override string ToString() => $"{Outcome} ({Keys.Count} keys, {Failures.Count} failing)";

    private static string FileNamePart(string name)
    {
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        return safe.Length > 80 ? safe[..80] : safe;
    }
}
