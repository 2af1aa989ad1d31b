using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Testing;
using GeoGrains.Tests.Histories;
using ReadLevel = GeoGrains.Consistency;

namespace GeoGrains.IntegrationTests.Consistency;

/// <summary>
/// Clients in every region read and write a few grains concurrently (each grain a register: its name), while links are
/// cut and healed and one grain is rehomed; every operation goes into a Jepsen-style history, which the linearizability
/// checker then judges. With <see cref="ReadConsistency.Strong"/> reads it must accept; with
/// <see cref="ReadConsistency.Eventual"/> reads it must catch the stale reads.
/// </summary>
[Collection(ThreeRegionsCollection.Name)]
public sealed class LinearizabilityTests(ThreeRegionsFixture fixture) : NetworkFaultTests(() => fixture.Geo)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static readonly RegionId[] Regions = ["us-east", "eu-west", "apac-east"];

    [Fact]
    public async Task Strong_reads_and_writes_under_partitions_and_a_rehome_are_linearizable()
    {
        var keys = Regions.Select(r => $"{r}/lin-{Guid.NewGuid():N}").ToArray();
        var history = await RunWorkloadAsync(keys, ReadLevel.Strong, withFaults: true);

        var result = LinearizabilityChecker.Check(history.Operations, new RegisterModel("initial"), new CheckOptions());
        result.EnsureLinearizable(CheckResult.ArtifactDirectory(nameof(Strong_reads_and_writes_under_partitions_and_a_rehome_are_linearizable)));

        // The workload did what it is meant to: reads that had to cross regions and writes of every key succeeded.
        Assert.All(keys, key => Assert.Contains(history.Operations, o => o.Key == key && o.Name == RegisterModel.Read && o.Status == OperationStatus.Ok && o.Output is { Length: > 0 }));
    }

    [Fact]
    public async Task The_checker_rejects_the_same_workload_with_eventual_reads()
    {
        var keys = Regions.Select(r => $"{r}/lin-{Guid.NewGuid():N}").ToArray();
        var history = await RunWorkloadAsync(keys, ReadLevel.Eventual, withFaults: false);

        var result = LinearizabilityChecker.Check(history.Operations, new RegisterModel("initial"), new CheckOptions());

        Assert.False(result.IsLinearizable, "replica reads behind a completed write were accepted");
        Assert.Equal(CheckOutcome.NotLinearizable, result.Outcome);
        result.SaveArtifacts(CheckResult.ArtifactDirectory(nameof(The_checker_rejects_the_same_workload_with_eventual_reads)));
    }

    /// <summary>
    /// Six processes (two per region) each run 30 operations on random keys: a write of a unique name through its own
    /// region, a read through its own region, or a write through the owner's region followed by a read through the
    /// farthest region (which a replica can answer only from the past). Faults: a cut between us-east and apac-east,
    /// healed, and a rehome of eu-west's grain to us-east.
    /// </summary>
    private async Task<HistoryRecorder> RunWorkloadAsync(string[] keys, ReadLevel reads, bool withFaults)
    {
        var history = new HistoryRecorder();
        foreach (var key in keys)
        {
            await Geo.Client(Home(key)).GetGrain<IProfileGrain>(key).Rename("initial");
        }

        // Every region holds the initial value before the history starts, so it is the register's first state.
        await Geo.WaitForReplicationAsync(Timeout);
        var processes = Regions.SelectMany(region => new[] { (region, 0), (region, 1) }).Select(async p =>
        {
            var (region, index) = p;
            var random = new Random(HashCode.Combine(region.Value, index));
            for (var i = 0; i < 30; i++)
            {
                var process = $"{region}-{index}";
                var key = keys[random.Next(keys.Length)];
                switch (random.Next(3))
                {
                    case 0:
                        await WriteAsync(history, process, region, key, $"{process}:{i}");
                        break;
                    case 1:
                        await ReadAsync(history, process, region, key, reads);
                        break;
                    default:
                        await WriteAsync(history, process, Home(key), key, $"{process}:{i}");
                        await ReadAsync(history, process, Farthest(Home(key)), key, reads);
                        break;
                }
            }
        }).ToList();

        if (withFaults)
        {
            processes.Add(NemesisAsync(history, keys));
        }

        await Task.WhenAll(processes).WaitAsync(Timeout);
        Geo.Heal();
        return history;
    }

    /// <summary>
    /// Rehomes eu-west's grain to us-east while the processes run, then cuts us-east from apac-east for as long as a
    /// write and a strong read across the cut take to fail (their outcome unknown: the history says so), then heals.
    /// </summary>
    private async Task NemesisAsync(HistoryRecorder history, string[] keys)
    {
        var rehomed = keys[1];
        await Geo.Client("eu-west").RehomeAsync(Geo.Client("eu-west").GetGrain<IProfileGrain>(rehomed), "us-east");
        Geo.Partition("us-east", "apac-east");
        try
        {
            await WriteAsync(history, "nemesis", "apac-east", keys[0], "across-the-cut");
            await ReadAsync(history, "nemesis", "apac-east", rehomed, ReadLevel.Strong);
        }
        finally
        {
            Geo.Heal("us-east", "apac-east");
        }
    }

    private Task WriteAsync(HistoryRecorder history, string process, RegionId via, string key, string value) =>
        history.RecordAsync(process, key, RegisterModel.Write, value, async () =>
        {
            await Geo.Client(via).GetGrain<IProfileGrain>(key).Rename(value);
        });

    private Task ReadAsync(HistoryRecorder history, string process, RegionId via, string key, ReadLevel level) =>
        history.RecordAsync(process, key, RegisterModel.Read, null, async () =>
        {
            using var scope = GeoContext.Read(level);
            return (string?)(await Geo.Client(via).GetGrain<IProfileGrain>(key).Get()).Name;
        });

    private static RegionId Home(string key) => key[..key.IndexOf('/', StringComparison.Ordinal)];

    private static RegionId Farthest(RegionId region) => region.Value switch
    {
        "us-east" => "apac-east",
        "eu-west" => "apac-east",
        _ => "eu-west",
    };
}
