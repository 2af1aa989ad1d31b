using GeoGrains.Runtime.Storage;
using System.Text.Json;
using GeoGrains.IntegrationTests.Grains;
using GeoGrains.Runtime.Replication;
using GeoGrains.Testing;
using Orleans.Serialization;
using Microsoft.Extensions.DependencyInjection;

namespace GeoGrains.IntegrationTests.GeoGrains;

[Collection(ThreeRegionsCollection.Name)]
public sealed class ReplicationCatchUpTests(ThreeRegionsFixture fixture) : IDisposable
{
    private static readonly TimeSpan ReplicationTimeout = TimeSpan.FromSeconds(60);

    private GeoTestCluster Geo => fixture.Geo;

    public void Dispose()
    {
        Geo.Heal();
        Geo.Network.Jitter = TimeSpan.Zero;
    }

    [Fact]
    public async Task After_a_partition_heals_eu_west_catches_up_without_re_sending_acknowledged_changes()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var usEast = Geo.Client("us-east");

        // 200 grains replicated and acknowledged before the partition.
        var before = Enumerable.Range(0, 200).Select(i => $"us-east/{run}-acked-{i}").ToList();
        var acknowledgedBefore = Geo.Replication.Get("us-east", "eu-west").ChangesAcknowledged;
        await Task.WhenAll(before.Select(k => usEast.GetGrain<IProfileGrain>(k).Rename("v1")));
        await Eventually.Succeeds(
            () => Task.FromResult(Geo.Replication.Get("us-east", "eu-west").ChangesAcknowledged - acknowledgedBefore >= 200 ? true : throw new InvalidOperationException("not acknowledged yet")),
            ReplicationTimeout, "eu-west acknowledges the first 200 changes");

        Geo.Partition("us-east", "eu-west");
        var during = Enumerable.Range(0, 5).Select(i => $"us-east/{run}-during-{i}").ToList();
        foreach (var round in Enumerable.Range(0, 20))
        {
            foreach (var key in during)
            {
                await usEast.GetGrain<IProfileGrain>(key).Append(round);
            }
        }

        // apac-east is not partitioned and receives them meanwhile; eu-west does not.
        await WaitForVersion("apac-east", during, 20);
        Assert.All(await Versions("eu-west", during), v => Assert.True(v < 20, $"eu-west saw version {v} through a partition"));

        var sentAtHeal = Geo.Replication.Get("us-east", "eu-west").ChangesSent;
        Geo.Heal();
        await WaitForVersion("eu-west", during, 20);

        var view = await Geo.Client("eu-west").GetGrain<IProfileGrain>(during[0]).Get();
        Assert.Equal(Enumerable.Range(0, 20), view.History);

        // The replication meter shows what crossed after the heal: only the 5 grains changed during the partition, each at
        // its latest version (twice at most, if a retry raced the heal); none of the 200 acknowledged ones again.
        var sentAfterHeal = Geo.Replication.Get("us-east", "eu-west").ChangesSent - sentAtHeal;
        Assert.InRange(sentAfterHeal, 5, 10);
    }

    [Fact]
    public async Task Duplicated_and_reordered_batches_leave_the_replica_at_the_latest_version()
    {
        var key = $"us-east/{Guid.NewGuid():N}";
        var grain = Geo.Client("eu-west").GetGrain<IProfileGrain>(key).GetGrainId();
        var codec = new ReplicationBatchCodec(Geo["eu-west"].Cluster!.Client.ServiceProvider.GetRequiredService<Serializer>());
        ReplicatedChange Version(long v, long epoch = 1) => new(grain, new GeoRecord(v, epoch, new HybridTimestamp(1_000 + v, 0), "us-east",
            JsonSerializer.SerializeToUtf8Bytes(new Profile($"v{v}", []))));
        ReplicationBatch Batch(long sequence, params ReplicatedChange[] changes) => codec.Encode("us-east", sequence, changes, compress: true, out _);

        var b1 = Batch(1, Version(1), Version(2));
        var b2 = Batch(2, Version(3));
        var b3 = Batch(3, Version(4), Version(5));
        var receiver = Geo.Client("eu-west").GetGrain<IReplicationReceiverGrain>(0);
        var acks = new List<ReplicationAck>();
        foreach (var batch in new[] { b3, b1, b2, b3, b1, b2 })
        {
            acks.Add(await receiver.Apply(batch));
        }

        // Versions 4 and 5 arrive together: 5 is stored, 4 is superseded before it is written.
        Assert.Equal(new ReplicationAck(1, 1), acks[0]);
        Assert.All(acks.Skip(1), a => Assert.Equal(0, a.Applied));
        var view = await Geo.Client("eu-west").GetGrain<IProfileGrain>(key).Get();
        Assert.Equal(5, view.Version);
        Assert.Equal("v5", view.Name);

        // A straggler from an older ownership epoch never overwrites a newer one, and is refused: the newer epoch did not
        // continue from it, so it acknowledges no write waiting for it.
        Assert.Equal(new ReplicationAck(1, 0), await receiver.Apply(Batch(4, Version(6, epoch: 2))));
        var straggler = await receiver.Apply(Batch(5, Version(7, epoch: 1)));
        Assert.Equal((0, 1, grain), (straggler.Applied, straggler.Stale, Assert.Single(straggler.Refused!)));
        Assert.Equal("v6", (await Geo.Client("eu-west").GetGrain<IProfileGrain>(key).Get()).Name);
    }

    [Fact]
    public async Task Jitter_that_reorders_real_batches_still_converges_to_the_full_history()
    {
        var key = $"eu-west/{Guid.NewGuid():N}";
        Geo.Network.Jitter = TimeSpan.FromMilliseconds(80);
        var grain = Geo.Client("eu-west").GetGrain<IProfileGrain>(key);
        for (var i = 0; i < 40; i++)
        {
            await grain.Append(i);
        }

        await WaitForVersion("apac-east", [key], 40);
        await WaitForVersion("us-east", [key], 40);

        Assert.Equal(Enumerable.Range(0, 40), (await Geo.Client("apac-east").GetGrain<IProfileGrain>(key).Get()).History);
    }

    private async Task<long[]> Versions(RegionId region, IEnumerable<string> keys) =>
        await Task.WhenAll(keys.Select(async k => (await Geo.Client(region).GetGrain<IProfileGrain>(k).Get()).Version));

    private Task WaitForVersion(RegionId region, IReadOnlyCollection<string> keys, long version) =>
        Eventually.Succeeds(async () =>
        {
            var versions = await Versions(region, keys);
            return versions.All(v => v == version) ? true : throw new InvalidOperationException($"{region} at versions {string.Join(",", versions)}");
        }, ReplicationTimeout, $"{region} reaches version {version}");
}
