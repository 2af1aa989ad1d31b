using System.Diagnostics;
using GeoGrains.Testing;
using ReadLevel = GeoGrains.Consistency;

namespace GeoGrains.Benchmarks;

/// <summary>
/// A <c>[ReadOnly]</c> call at each read level from a client in each region, to a grain owned by the first region, against
/// the round trip the emulator adds between the reader's region and the owner: what each level costs where it is
/// served (locally, or forwarded to the owner).
/// </summary>
internal static class ConsistencyReadBenchmark
{
    public static async Task<IReadOnlyList<ReadLevelRow>> RunAsync(GeoTestCluster geo, int samples, int warmUp)
    {
        var owner = geo.Regions[0];
        var key = $"{owner}/read-levels";
        await geo.Client(owner).GetGrain<IBenchProfileGrain>(key).Visit();
        await geo.WaitForReplicationAsync(TimeSpan.FromMinutes(1));

        // The session has seen the grain's version (read at the owner): a replica that holds it serves the session.
        var session = new GeoSession();
        using (GeoContext.Session(session))
        {
            await geo.Client(owner).GetGrain<IBenchProfileGrain>(key).Visits();
        }

        (string Name, ReadLevel Level)[] levels =
        [
            ("Eventual", ReadLevel.Eventual),
            ("Session", ReadLevel.Session),
            ("BoundedStaleness(5 s)", ReadLevel.BoundedStaleness(TimeSpan.FromSeconds(5))),
            ("Strong", ReadLevel.Strong),
        ];

        // Readers in different regions run side by side: each waits on the emulated WAN, not on the CPU.
        var rows = await Task.WhenAll(geo.Regions.Select(async reader =>
        {
            var grain = geo.Client(reader).GetGrain<IBenchProfileGrain>(key);
            var result = new List<ReadLevelRow>();
            foreach (var (name, level) in levels)
            {
                var elapsed = new List<TimeSpan>(samples);
                var forwarded = 0;
                for (var i = 0; i < warmUp + samples; i++)
                {
                    using var scope = GeoContext.Use(read: level, session: level.Level == ReadConsistency.Session ? GeoSession.Resume(session.Token) : null);
                    var started = Stopwatch.GetTimestamp();
                    await grain.Visits();
                    if (i >= warmUp)
                    {
                        elapsed.Add(Stopwatch.GetElapsedTime(started));
                        forwarded += scope.Last!.Forwarded ? 1 : 0;
                    }
                }

                var rtt = reader == owner ? 0 : geo.Topology.RoundTrip(reader, owner).TotalMilliseconds;
                result.Add(new ReadLevelRow(reader.Value, name, rtt, (double)forwarded / samples, LatencySummary.From(elapsed)));
            }

            return result;
        }));

        return [.. rows.SelectMany(r => r)];
    }
}

/// <summary>One reader region at one level: the emulated round trip to the owner, the share of reads forwarded, latency.</summary>
internal sealed record ReadLevelRow(string Reader, string Level, double RoundTripToOwnerMs, double ForwardedShare, LatencySummary Latency)
{
    /// <summary>Forwarded reads cost the round trip to the owner and at most 5 ms more; local reads are not judged here.</summary>
    public bool? MeetsTarget => ForwardedShare > 0.5 ? Latency.P50Ms <= RoundTripToOwnerMs + 5 : null;
}
