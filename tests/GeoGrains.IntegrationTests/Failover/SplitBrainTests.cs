using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;
using GeoGrains.Tests.Histories;
using ReadLevel = GeoGrains.Consistency;
using static GeoGrains.Tests.Shared.TestRegions;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// No split brain: us-east is cut off from the others (alive, its clients still writing to it) while clients on both
/// sides write its grains with <c>Sync</c> and read them <c>Strong</c>. The cut-off side stops writing once its lease
/// lapses; only then do the others take its grains over. The recorded history must be linearizable, and the versions of
/// acknowledged writes one chain per grain, ordered as the writes happened: two owners writing in overlapping lease
/// periods would both continue from the same version.
/// </summary>
public sealed class SplitBrainTests(FailoverFixture fixture) : IClassFixture<FailoverFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private GeoTestCluster Geo => fixture.Geo;

    [Fact]
    public async Task One_cut_link_moves_nothing_and_the_region_keeps_writing()
    {
        // eu-west and apac-east: whatever the other test did to us-east, it still confirms their leases.
        var key = $"eu-west/flaky-{Guid.NewGuid():N}";
        var grain = Geo.Client(EuWest).GetGrain<IProfileGrain>(key);
        await grain.Append(0);
        var cutAt = DateTimeOffset.UtcNow;
        Geo.Partition(EuWest, ApacEast);
        try
        {
            // Both ends suspect each other, and the probes go on for several lease periods.
            var start = await Geo.Client(UsEast).GetGrain<IRegionHealthGrain>(0).GetView();
            await Eventually.Succeeds(async () =>
            {
                var view = await Geo.Client(EuWest).GetGrain<IRegionHealthGrain>(0).GetView();
                return view.Suspects(ApacEast) ? view : throw new InvalidOperationException("eu-west does not suspect apac-east yet");
            }, Timeout, "eu-west suspects apac-east");
            await Eventually.Succeeds(async () =>
            {
                var view = await Geo.Client(UsEast).GetGrain<IRegionHealthGrain>(0).GetView();
                return view.Rounds >= start.Rounds + 3 * FailoverFixture.LeasePeriod / FailoverFixture.ProbeInterval
                    ? view : throw new InvalidOperationException("not enough probe rounds yet");
            }, Timeout, "three lease periods of probes");

            // eu-west keeps its lease through us-east: it takes writes, and nobody moved anything.
            var receipt = await grain.Append(1);
            Assert.Equal(EuWest, receipt.ExecutedIn);
            foreach (var region in new[] { UsEast, EuWest, ApacEast })
            {
                var timeline = await Geo.Client(region).GetGrain<IRegionHealthGrain>(0).GetTimeline();
                Assert.DoesNotContain(timeline, e => e.At >= cutAt && e.Change == RegionHealthChange.OwnershipTransferred);

                // With one link cut each region's lease rests on one peer: a renewal late by a lease period (1 s here; the
                // suite's other classes load the same two cores) may let it lapse for a moment, but never for good.
                await Eventually.Succeeds(async () =>
                {
                    var lease = (await Geo.Client(region).GetGrain<IRegionHealthGrain>(0).GetTimeline())
                        .Where(e => e.At >= cutAt && e.Subject == region && e.Change is RegionHealthChange.LeaseLapsed or RegionHealthChange.LeaseRegained)
                        .ToList();
                    return lease.Count == 0 || lease[^1].Change == RegionHealthChange.LeaseRegained ? lease : throw new InvalidOperationException(
                        $"{region}'s lease lapsed after the cut and is not regained: {string.Join(", ", lease.Select(e => $"{e.Change} {e.At:HH:mm:ss.fff}"))}");
                }, Timeout, $"{region} holds its lease");
            }
        }
        finally
        {
            Geo.Heal();
        }
    }

    [Fact]
    public async Task An_isolated_region_stops_writing_before_its_grains_move_and_the_history_stays_linearizable()
    {
        var keys = Enumerable.Range(0, 3).Select(i => $"us-east/split-{i}-{Guid.NewGuid():N}").ToArray();
        foreach (var key in keys)
        {
            await Geo.Client(UsEast).GetGrain<IProfileGrain>(key).Rename("initial");
        }

        await Eventually.Succeeds(async () =>
        {
            foreach (var key in keys)
            {
                foreach (var region in new[] { EuWest, ApacEast })
                {
                    if ((await Geo.Client(region).GetGrain<IProfileGrain>(key).Get()).Name != "initial")
                    {
                        throw new InvalidOperationException($"{region} does not have '{key}' yet");
                    }
                }
            }

            return true;
        }, Timeout, "every region has the initial values");

        var history = new HistoryRecorder();
        var refusedForLease = 0;
        using var stop = new CancellationTokenSource();
        var processes = new[] { (UsEast, 0), (UsEast, 1), (EuWest, 0), (EuWest, 1), (ApacEast, 0) }.Select(p => Task.Run(async () =>
        {
            var (region, index) = p;
            var process = $"{region}-{index}";
            var random = new Random(HashCode.Combine(region.Value, index));
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var key = keys[random.Next(keys.Length)];
                var operation = random.Next(2) == 0
                    ? await WriteAsync(history, process, region, key, $"{process}:{i}")
                    : await ReadAsync(history, process, region, key);
                if (operation.Detail?.Contains(nameof(RegionLeaseLapsedException), StringComparison.Ordinal) == true && region == UsEast)
                {
                    Interlocked.Increment(ref refusedForLease);
                }

                if (operation.Status != OperationStatus.Ok)
                {
                    await Task.Delay(50, CancellationToken.None);
                }
            }
        })).ToList();

        await Eventually.Holds(() => history.Operations.Count(o => o.Status == OperationStatus.Ok) >= 20, Timeout, "operations before the cut");
        var isolatedAt = DateTimeOffset.UtcNow;
        Geo.Isolate(UsEast);
        try
        {
            // The cut-off side refuses writes once its lease lapses; the others take over and write.
            await Eventually.Holds(() => Volatile.Read(ref refusedForLease) > 0, Timeout, "us-east refuses an operation for its lapsed lease");
            await Eventually.Holds(
                () => keys.All(key => history.Operations.Any(o => o.Key == key && o.Name == RegisterModel.Write && o.Status == OperationStatus.Ok
                    && o.Output is { } output && !output.StartsWith("us-east", StringComparison.Ordinal))),
                Timeout, "every grain takes writes at a successor");
        }
        finally
        {
            Geo.Heal();
        }

        // Back: us-east learned the new owners; its clients' writes run there, it does not write itself.
        var afterHeal = await Eventually.Succeeds(async () =>
        {
            var write = await WriteAsync(history, "after-heal", UsEast, keys[0], $"after-heal:{Guid.NewGuid():N}");
            return write.Status == OperationStatus.Ok ? write : throw new InvalidOperationException(write.Detail);
        }, Timeout, "a write through us-east after healing");
        Assert.False(afterHeal.Output!.StartsWith("us-east", StringComparison.Ordinal), $"us-east wrote '{keys[0]}' after healing: {afterHeal}");
        await stop.CancelAsync();
        await Task.WhenAll(processes).WaitAsync(Timeout);

        var usEastTimeline = await Geo.Client(UsEast).GetGrain<IRegionHealthGrain>(0).GetTimeline();
        // The first lapse after the isolation (a renewal late under load after healing may add a brief one).
        var lapsed = usEastTimeline.Where(e => e.At >= isolatedAt && e.Subject == UsEast && e.Change == RegionHealthChange.LeaseLapsed).OrderBy(e => e.At).FirstOrDefault()
            ?? throw new Xunit.Sdk.XunitException("us-east's lease never lapsed while it was isolated");
        var euWestTimeline = await Geo.Client(EuWest).GetGrain<IRegionHealthGrain>(0).GetTimeline();
        var transferred = Assert.Single(euWestTimeline, e => e.At >= isolatedAt && e.Subject == UsEast && e.Change == RegionHealthChange.OwnershipTransferred);
        Assert.True(lapsed.At <= transferred.At, $"us-east's lease lapsed at {lapsed.At:O}, after its grains moved at {transferred.At:O}");

        // Acknowledged writes form one chain of versions per grain, in real-time order: one owner at a time.
        var writes = history.Operations.Where(o => o.Name == RegisterModel.Write && o.Status == OperationStatus.Ok).ToList();
        Assert.Contains(writes, w => w.Output!.StartsWith("us-east", StringComparison.Ordinal));
        foreach (var key in keys)
        {
            var chain = writes.Where(w => w.Key == key).Select(w => (Op: w, Version: long.Parse(w.Output![(w.Output!.IndexOf('@') + 1)..]))).ToList();
            Assert.Equal(chain.Count, chain.Select(c => c.Version).Distinct().Count());
            foreach (var a in chain)
            {
                foreach (var b in chain.Where(b => a.Op.CompleteTime < b.Op.InvokeTime))
                {
                    Assert.True(a.Version < b.Version, $"'{key}': {a.Op} completed before {b.Op} began, yet has a later version");
                }
            }
        }

        var result = LinearizabilityChecker.Check(history.Operations, new RegisterModel("initial"), new CheckOptions());
        result.EnsureLinearizable(CheckResult.ArtifactDirectory(nameof(An_isolated_region_stops_writing_before_its_grains_move_and_the_history_stays_linearizable)));
    }

    private Task<HistoryOperation> WriteAsync(HistoryRecorder history, string process, RegionId via, string key, string value) =>
        history.RecordAsync(process, key, RegisterModel.Write, value, async () =>
        {
            using var scope = GeoContext.Write(Durability.Sync);
            var receipt = await Geo.Client(via).GetGrain<IProfileGrain>(key).Rename(value);
            return $"{receipt.ExecutedIn}@{receipt.Version}";
        }, exception => exception is RegionLeaseLapsedException { MayHaveCommitted: false });

    private Task<HistoryOperation> ReadAsync(HistoryRecorder history, string process, RegionId via, string key) =>
        history.RecordAsync(process, key, RegisterModel.Read, null, async () =>
        {
            using var scope = GeoContext.Read(ReadLevel.Strong);
            return (string?)(await Geo.Client(via).GetGrain<IProfileGrain>(key).Get()).Name;
        });
}
