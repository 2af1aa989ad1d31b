using GeoGrains.Configuration;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;
using GeoGrains.Tests.Histories;
using Microsoft.Extensions.DependencyInjection;
using ReadLevel = GeoGrains.Consistency;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// The checker against a deliberately broken configuration: leases ignored, so isolated us-east keeps writing its grain
/// while the others take it over and write it too. The same kind of history the split-brain test records must then be
/// rejected: two owners at once is what the checker is there to catch.
/// </summary>
public sealed class UnsafeFailoverTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private GeoTestCluster _geo = null!;

    public async Task InitializeAsync() =>
        _geo = await new GeoTestClusterBuilder()
            .WithCallTimeout(TimeSpan.FromSeconds(2))
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o =>
            {
                FailoverFixture.Configure(o);
                o.Failover.IgnoreLeases = true;
            }))
            .StartAsync();

    public async Task DisposeAsync() => await _geo.DisposeAsync();

    [Fact]
    public async Task Without_leases_an_isolated_region_and_its_successor_both_write_and_the_checker_rejects_the_history()
    {
        var key = $"us-east/unsafe-{Guid.NewGuid():N}";
        await _geo.Client(UsEast).GetGrain<IProfileGrain>(key).Rename("initial");
        await Eventually.Succeeds(async () => (await _geo.Client(EuWest).GetGrain<IProfileGrain>(key).Get()).Name == "initial"
            ? true : throw new InvalidOperationException("eu-west does not have the initial value yet"), Timeout, "eu-west has the initial value");

        var history = new HistoryRecorder();
        using var stop = new CancellationTokenSource();
        var processes = new[] { (UsEast, 0), (UsEast, 1), (EuWest, 0), (EuWest, 1) }.Select(p => Task.Run(async () =>
        {
            var (region, index) = p;
            var process = $"{region}-{index}";
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var operation = i % 2 == 0
                    ? await history.RecordAsync(process, key, RegisterModel.Write, $"{process}:{i}", async () =>
                    {
                        var receipt = await _geo.Client(region).GetGrain<IProfileGrain>(key).Rename($"{process}:{i}");
                        return $"{receipt.ExecutedIn}@{receipt.Version}";
                    })
                    : await history.RecordAsync(process, key, RegisterModel.Read, null, async () =>
                    {
                        using var scope = GeoContext.Read(ReadLevel.Strong);
                        return (string?)(await _geo.Client(region).GetGrain<IProfileGrain>(key).Get()).Name;
                    });
                // Paced, so that each side's reads often start before its next write ends: the overlap waited for below
                // then comes within seconds (back to back, a side's newest value changes between nearly every two reads).
                await Task.Delay(operation.Status == OperationStatus.Ok ? 10 : 50, CancellationToken.None);
            }
        })).ToList();

        await Eventually.Holds(() => history.Operations.Count(o => o.Status == OperationStatus.Ok) >= 10, Timeout, "operations before the cut");
        _geo.Isolate(UsEast);
        try
        {
            var isolatedAt = history.Now();

            // Both sides acknowledge writes after the cut, us-east as the owner it still thinks it is, the successor as the
            // new owner, and they diverge: a read returns a us-east write and another a successor's write, each write ended
            // before the other read began. Such a history is not linearizable whatever else it holds; waiting for it (not for
            // counts on both sides, which a starved us-east can meet before the successor begins) makes the claim certain.
            await Eventually.Holds(() => Overlapped(history.Operations, isolatedAt), Timeout, "writes on both sides of the cut, overlapping");
        }
        finally
        {
            _geo.Heal();
        }

        await stop.CancelAsync();
        await Task.WhenAll(processes).WaitAsync(Timeout);

        var result = LinearizabilityChecker.Check(history.Operations, new RegisterModel("initial"), new CheckOptions());
        Assert.False(result.IsLinearizable, "two owners writing at once were accepted as linearizable");
        Assert.Equal(CheckOutcome.NotLinearizable, result.Outcome);
        result.SaveArtifacts(CheckResult.ArtifactDirectory(nameof(Without_leases_an_isolated_region_and_its_successor_both_write_and_the_checker_rejects_the_history)));
    }

    // Reads Ru and Rs returning the values of a us-east write Wu and a successor's write Ws, each write ended before either
    // read began: both writes precede both reads in any linearization, so the later of the two is what both must return.
    private static bool Overlapped(IReadOnlyList<HistoryOperation> operations, long after)
    {
        var ok = operations.Where(o => o.InvokeTime > after && o.Status == OperationStatus.Ok).ToList();
        var writes = ok.Where(o => o.Name == RegisterModel.Write).ToDictionary(o => o.Input!);
        var reads = ok.Where(o => o.Name == RegisterModel.Read && o.Output is { } value && writes.ContainsKey(value))
            .Select(o => (Read: o, Write: writes[o.Output!], UsEast: writes[o.Output!].Output!.StartsWith("us-east", StringComparison.Ordinal)))
            .ToList();
        var successor = reads.Where(r => !r.UsEast).ToList();
        return reads.Where(r => r.UsEast).Any(u => successor.Any(s =>
            u.Write.CompleteTime < u.Read.InvokeTime && u.Write.CompleteTime < s.Read.InvokeTime
            && s.Write.CompleteTime < s.Read.InvokeTime && s.Write.CompleteTime < u.Read.InvokeTime));
    }
}
