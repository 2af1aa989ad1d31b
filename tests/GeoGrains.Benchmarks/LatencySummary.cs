namespace GeoGrains.Benchmarks;

/// <summary>Percentiles of a set of measured latencies.</summary>
internal sealed record LatencySummary(int Samples, double P50Ms, double P99Ms, double MinMs, double MaxMs)
{
    public static LatencySummary From(IReadOnlyCollection<TimeSpan> samples)
    {
        if (samples.Count == 0)
        {
            throw new ArgumentException("No samples were measured.", nameof(samples));
        }

        var sorted = samples.Select(s => s.TotalMilliseconds).Order().ToArray();
        return new LatencySummary(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted[0], sorted[^1]);
    }

    // Nearest-rank percentile: a value that was actually measured.
    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
