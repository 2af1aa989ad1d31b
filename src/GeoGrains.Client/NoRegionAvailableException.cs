namespace GeoGrains;

/// <summary>
/// No region could serve a call within its deadline: every region the client tried was unreachable or did not answer.
/// <see cref="Failures"/> names each region tried and why it failed.
/// </summary>
/// <remarks>
/// Raised for reads, and for writes that were never delivered to any region; a write that may have been executed fails
/// with <see cref="WriteOutcomeUnknownException"/> instead.
/// </remarks>
public sealed class NoRegionAvailableException : GeoGrainsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="call">The call that failed, e.g. <c>IAccountGrain.Deposit</c>.</param>
    /// <param name="failures">Each region tried, in order, with why it failed.</param>
    /// <param name="lastFailure">The last underlying failure, if any.</param>
    public NoRegionAvailableException(string call, IReadOnlyList<KeyValuePair<RegionId, string>> failures, Exception? lastFailure = null)
        : base(Describe(call, failures), lastFailure)
    {
        Call = call;
        Failures = failures;
    }

    /// <summary>The call that failed.</summary>
    public string Call { get; }

    /// <summary>Each region tried, in the order tried, with why it failed.</summary>
    public IReadOnlyList<KeyValuePair<RegionId, string>> Failures { get; }

    /// <summary>The regions tried, in order.</summary>
    public IEnumerable<RegionId> RegionsTried => Failures.Select(f => f.Key);

    private static string Describe(string call, IReadOnlyList<KeyValuePair<RegionId, string>> failures) =>
        failures.Count == 0
            ? $"No region could serve {call}: no region was tried before the call's deadline."
            : $"No region could serve {call}; tried {string.Join("; ", failures.Select(f => $"'{f.Key}': {f.Value}"))}.";
}
