using System.Text;

namespace GeoGrains.DevCluster;

/// <summary>Measures the round trip of every ordered region pair through the links and prints it beside the configured one.</summary>
internal static class RoundTripTable
{
    public static async Task<string> MeasureAsync(IDevCluster cluster, int samples, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var pairs = cluster.Topology.RegionIds
            .SelectMany(from => cluster.Topology.RegionIds.Where(to => to != from).Select(to => (From: from, To: to)))
            .ToList();

        var results = await Task.WhenAll(pairs.Select(async pair =>
        {
            var probe = cluster.Client(pair.From).GetGrain<IRegionProbeGrain>(0);

            // The first call may wait for the target region to finish starting and for its link to connect.
            await WaitForLinkAsync(probe, pair.To, connectTimeout, cancellationToken);
            var elapsed = new List<TimeSpan>(samples);
            for (var i = 0; i < samples; i++)
            {
                elapsed.Add((await probe.MeasureRoundTrip(pair.To)).Elapsed);
            }

            elapsed.Sort();
            return (pair.From, pair.To, Configured: cluster.Topology.RoundTrip(pair.From, pair.To), Median: elapsed[elapsed.Count / 2]);
        }));

        var table = new StringBuilder();
        table.AppendLine($"Round trips between regions: configured vs measured through the links (median of {samples})");
        table.AppendLine($"  {"from",-11} {"to",-11} {"configured",11} {"measured",10} {"ratio",6}");
        foreach (var r in results)
        {
            table.AppendLine(
                $"  {r.From.Value,-11} {r.To.Value,-11} {r.Configured.TotalMilliseconds,8:0.0} ms {r.Median.TotalMilliseconds,7:0.0} ms {r.Median / r.Configured,6:0.00}");
        }

        return table.ToString();
    }

    private static async Task WaitForLinkAsync(IRegionProbeGrain probe, RegionId target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            try
            {
                await probe.MeasureRoundTrip(target);
                return;
            }
            catch (RegionUnreachableException) when (!deadline.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"{target} did not answer through the link within {timeout.TotalSeconds:0} s.");
                }
            }
        }
    }
}
