using GeoGrains.Configuration;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;
using GeoGrains.Tests.Histories;
using Microsoft.Extensions.DependencyInjection;
using ReadLevel = GeoGrains.Consistency;

namespace GeoGrains.IntegrationTests.Failover;

/// <summary>
/// Jepsen-style: clients in every region write (<c>Sync</c>) and read (<c>Strong</c>) three grains, one homed in each region,
/// while a nemesis works through a seeded, shuffled schedule of every fault GeoGrains must survive: a partition, an
/// isolated region, a region killed and restarted, a silo killed, a grain rehomed, a region drained and restored, and a
/// storage outage of one region's Azurite. The recorded history must be linearizable (the same checker that rejects the
/// history of a deliberately broken configuration in <see cref="UnsafeFailoverTests"/>).
/// </summary>
public sealed class NemesisTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly RegionId[] Regions = ["us-east", "eu-west", "apac-east"];

    // A fault is held this long before it is undone: long enough for leases to lapse and takeovers to run (1 s lease).
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(2.5);

    private GeoTestCluster _geo = null!;

    public async Task InitializeAsync() =>
        _geo = await new GeoTestClusterBuilder()
            .WithSilosPerRegion(2)
            .WithAzureStorage()
            .WithCallTimeout(TimeSpan.FromSeconds(2))
            .ConfigureSilo((_, silo) => silo.Services.Configure<GeoGrainsOptions>(o =>
            {
                FailoverFixture.Configure(o);
                o.Failover.FailbackAfter = FailbackFixture.FailbackAfter;
            }))
            .StartAsync();

    public async Task DisposeAsync() => await _geo.DisposeAsync();

    [Fact]
    public async Task Sync_writes_and_strong_reads_from_every_region_stay_linearizable_under_every_fault()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("GEOGRAINS_NEMESIS_SEED"), out var s) ? s : 16;
        var random = new Random(seed);
        var keys = Regions.Select(r => $"{r}/nemesis-{Guid.NewGuid():N}").ToArray();
        foreach (var key in keys)
        {
            using var scope = GeoContext.Write(Durability.Sync);
            await _geo.Client(key[..key.IndexOf('/')]).GetGrain<IProfileGrain>(key).Rename("initial");
        }

        var history = new HistoryRecorder();
        using var stop = new CancellationTokenSource();
        var processes = Regions.SelectMany(r => new[] { (r, 0), (r, 1) }).Select(p => Task.Run(() => RunClientAsync(history, p.Item1, p.Item2, keys, stop.Token))).ToList();
        await Eventually.Holds(() => history.Operations.Count(o => o.Status == OperationStatus.Ok) >= 20, Timeout, "operations before the first fault");

        Func<Task>[] faults =
        [
            () => HoldAsync(() => _geo.Partition(Regions[0], Regions[1]), () => _geo.Heal()),
            () => HoldAsync(() => _geo.Isolate(Regions[random.Next(Regions.Length)]), () => _geo.Heal()),
            async () =>
            {
                var region = Regions[random.Next(Regions.Length)];
                await _geo.KillRegionAsync(region);
                await Task.Delay(Hold);
                await _geo.RestartRegionAsync(region);
            },
            async () =>
            {
                var cluster = _geo[Regions[random.Next(Regions.Length)]].Cluster!;
                await cluster.KillSiloAsync(cluster.SecondarySilos[0]);
            },
            async () =>
            {
                var key = keys[random.Next(keys.Length)];
                var to = Regions[random.Next(Regions.Length)];
                await Eventually.Succeeds(() => _geo.Client(to).RehomeAsync(_geo.Client(to).GetGrain<IProfileGrain>(key), to), Timeout, $"rehome '{key}' to {to}");
            },
            async () =>
            {
                var region = Regions[random.Next(Regions.Length)];
                var via = Regions.First(r => r != region);
                await _geo.Client(via).DrainRegionAsync(region);
                await Task.Delay(Hold);
                await _geo.Client(via).RestoreRegionAsync(region);
            },
            async () =>
            {
                var region = _geo[Regions[random.Next(Regions.Length)]];
                await region.StopStorageAsync();
                await Task.Delay(Hold);
                await region.StartStorageAsync();
            },
        ];

        foreach (var fault in faults.OrderBy(_ => random.Next()))
        {
            await fault();
            await RecoveredAsync(keys);
        }

        await stop.CancelAsync();
        await Task.WhenAll(processes).WaitAsync(Timeout);

        var writes = history.Operations.Where(o => o.Name == RegisterModel.Write && o.Status == OperationStatus.Ok).ToList();
        Assert.All(keys, key => Assert.Contains(writes, w => w.Key == key));
        var result = LinearizabilityChecker.Check(history.Operations, new RegisterModel("initial"), new CheckOptions());
        result.EnsureLinearizable(CheckResult.ArtifactDirectory($"{nameof(Sync_writes_and_strong_reads_from_every_region_stay_linearizable_under_every_fault)}-seed-{seed}"));
    }

    private async Task HoldAsync(Action fault, Action undo)
    {
        fault();
        try
        {
            await Task.Delay(Hold);
        }
        finally
        {
            undo();
        }
    }

    // The regions are whole again: every region serves a strong read of every grain (taken over, drained and rehomed ones included).
    private async Task RecoveredAsync(string[] keys)
    {
        foreach (var region in Regions)
        {
            foreach (var key in keys)
            {
                await Eventually.Succeeds(async () =>
                {
                    using var scope = GeoContext.Read(ReadLevel.Strong);
                    return await _geo.Client(region).GetGrain<IProfileGrain>(key).Get();
                }, Timeout, $"{region} serves '{key}' again");
            }
        }
    }

    private async Task RunClientAsync(HistoryRecorder history, RegionId region, int index, string[] keys, CancellationToken stop)
    {
        var process = $"{region}-{index}";
        var random = new Random(HashCode.Combine(region.Value, index));
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            if (!_geo[region].IsRunning)
            {
                await Task.Delay(50, CancellationToken.None);
                continue;
            }

            var key = keys[random.Next(keys.Length)];
            var client = _geo.Client(region);
            var operation = random.Next(2) == 0
                ? await history.RecordAsync(process, key, RegisterModel.Write, $"{process}:{i}", async () =>
                {
                    using var scope = GeoContext.Write(Durability.Sync.WithTimeout(TimeSpan.FromSeconds(3)));
                    var receipt = await client.GetGrain<IProfileGrain>(key).Rename($"{process}:{i}");
                    return $"{receipt.ExecutedIn}@{receipt.Version}";
                }, exception => exception is RegionLeaseLapsedException { MayHaveCommitted: false })
                : await history.RecordAsync(process, key, RegisterModel.Read, null, async () =>
                {
                    using var scope = GeoContext.Read(ReadLevel.Strong);
                    return (string?)(await client.GetGrain<IProfileGrain>(key).Get()).Name;
                }, _ => true);
            if (operation.Status != OperationStatus.Ok)
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }
}
